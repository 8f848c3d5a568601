import { GatewayError } from "../../errors";
import { StoreUnavailableError } from "../../ledger/types";

/** Runs one key-store or ledger call; an unreachable store is a 503 the caller may retry, never a 500. */
export async function fromStore<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof StoreUnavailableError) {
      throw new GatewayError("store_unavailable", "The ledger store is unreachable; try again shortly.", {
        headers: { "retry-after": "1" },
        cause: err,
      });
    }
    throw err;
  }
}
