import { GatewayError } from "../errors";
import type { Fetch, ProviderBatchLine, ResolvedProvider } from "./types";

/** One call to a provider's batch API: authorized as the provider's chat calls are; a non-2xx answer is an upstream error. */
export async function batchApiFetch(provider: ResolvedProvider, fetch: Fetch, request: Request): Promise<Response> {
  const authorized = provider.authorizer === undefined ? request : await provider.authorizer.authorize(request, fetch);
  const res = await fetch(authorized);
  if (!res.ok) {
    await res.body?.cancel();
    throw new GatewayError("upstream_error", `The provider's batch API answered ${res.status}.`);
  }
  return res;
}

/**
 * A provider's batch results (JSONL) as lines, each read by the provider's own `parseLine`; a line that is not JSON
 * is the provider's bad response, never a crash. Decoded by hand: workerd warns when `.text()` reads an
 * `application/jsonl` body.
 */
export async function batchLines(
  res: Response,
  parseLine: (text: string) => ProviderBatchLine,
): Promise<ProviderBatchLine[]> {
  const text = new TextDecoder().decode(await res.arrayBuffer());
  try {
    return text
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map(parseLine);
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    throw new GatewayError("upstream_bad_response", "A provider batch result line is not JSON.");
  }
}
