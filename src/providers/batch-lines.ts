import { GatewayError } from "../errors";
import type { ProviderBatchLine } from "./types";

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
