import { parseEmbeddingsRequest } from "../formats/openai/client-embeddings-request";
import { parseChatRequest } from "../formats/openai/client-request";
import { parseResponsesRequest } from "../formats/responses/request-schema";
import { BATCH_ENDPOINTS, type BatchEndpoint, type BatchItem } from "./types";

/** OpenAI's own ceiling on requests per batch file. */
export const MAX_BATCH_LINES = 50_000;
const MAX_CUSTOM_ID = 512;

export type JsonlResult = { ok: true; items: BatchItem[] } | { ok: false; line: number; message: string };

function isEndpoint(url: unknown): url is BatchEndpoint {
  return typeof url === "string" && (BATCH_ENDPOINTS as readonly string[]).includes(url);
}

/** The endpoint's own request parser: a body the interactive endpoint would refuse is refused at upload. */
function bodyProblem(url: BatchEndpoint, body: unknown): string | undefined {
  const parsed =
    url === "/v1/chat/completions"
      ? parseChatRequest(body)
      : url === "/v1/embeddings"
        ? parseEmbeddingsRequest(body)
        : parseResponsesRequest(body);
  return parsed.ok ? undefined : `body.${parsed.param}: ${parsed.message}`;
}

function parseLine(text: string): { ok: true; item: BatchItem } | { ok: false; message: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, message: `not valid JSON (${err instanceof Error ? err.message : "parse error"})` };
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return { ok: false, message: "must be a JSON object {custom_id, method, url, body}" };
  }
  const line = json as Record<string, unknown>;
  const customId = line.custom_id;
  if (typeof customId !== "string" || customId.length === 0 || customId.length > MAX_CUSTOM_ID) {
    return { ok: false, message: `custom_id must be a string of 1 to ${MAX_CUSTOM_ID} characters` };
  }
  if (line.method !== "POST") return { ok: false, message: `method must be "POST"` };
  if (!isEndpoint(line.url)) {
    return { ok: false, message: `url must be one of ${BATCH_ENDPOINTS.join(", ")} (got ${JSON.stringify(line.url)})` };
  }
  const body = line.body;
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, message: "body must be a JSON object" };
  }
  const fields = body as Record<string, unknown>;
  if (fields.stream === true) return { ok: false, message: "body.stream must not be true in a batch" };
  if (typeof fields.model !== "string") return { ok: false, message: "body.model must be a string" };
  const problem = bodyProblem(line.url, body);
  if (problem !== undefined) return { ok: false, message: problem };
  return { ok: true, item: { custom_id: customId, url: line.url, body: JSON.stringify(body), model: fields.model } };
}

/**
 * Parses and validates a batch input file (JSON Lines): every line an object with a unique `custom_id`, `method`
 * POST, a served `url`, and a body its endpoint accepts; all lines one endpoint. The first problem is reported with
 * its 1-based line number. Blank lines are skipped (a trailing newline is normal).
 */
export function parseBatchFile(text: string): JsonlResult {
  const items: BatchItem[] = [];
  const seen = new Set<string>();
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]?.replace(/\r$/, "") ?? "";
    if (raw.trim() === "") continue;
    const lineNo = i + 1;
    const parsed = parseLine(raw);
    if (!parsed.ok) return { ok: false, line: lineNo, message: parsed.message };
    const { item } = parsed;
    if (seen.has(item.custom_id)) {
      return { ok: false, line: lineNo, message: `custom_id ${JSON.stringify(item.custom_id)} is repeated` };
    }
    const firstUrl = items[0]?.url;
    if (firstUrl !== undefined && item.url !== firstUrl) {
      return { ok: false, line: lineNo, message: `url ${item.url} differs from the file's first line (${firstUrl})` };
    }
    if (items.length === MAX_BATCH_LINES) {
      return { ok: false, line: lineNo, message: `a batch file holds at most ${MAX_BATCH_LINES} requests` };
    }
    seen.add(item.custom_id);
    items.push(item);
  }
  if (items.length === 0) return { ok: false, line: 1, message: "the file holds no requests" };
  return { ok: true, items };
}
