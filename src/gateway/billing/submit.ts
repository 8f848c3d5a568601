import type { Services } from "../../context";
import { settleDurably } from "../../ledger/settle-durably";
import type { SettleOp } from "./meter";

/**
 * Settlement leaves the hot path: the op runs in waitUntil, straight against the ledger, and if the store cannot
 * take it, into the tenant's durable outbox, which retries until it can. Should even the outbox be unreachable, the
 * hold expires and the sweeper bills it at the hold, flagged `expired`.
 */
export function submitter(services: Services, waitUntil: (p: Promise<unknown>) => void, requestId: string) {
  return (op: SettleOp): Promise<void> => {
    const done = settleDurably({ ledger: services.ledger, outbox: services.outbox, waitUntil }, op).then(
      () => undefined,
      (err: unknown) => {
        console.error(`[${requestId}] ${op.kind} could not be settled or queued`, err);
      },
    );
    waitUntil(done);
    return done;
  };
}
