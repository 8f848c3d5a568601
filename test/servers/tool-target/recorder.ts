import type { IncomingHttpHeaders } from "node:http";

/** One request the tool target received, as tests read it back over `GET /__requests`. */
export interface ToolTargetRequest {
  method: string;
  /** Raw path as sent (percent-encoding kept), without the query string. */
  path: string;
  /** Raw query string including "?", or "". */
  search: string;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The body as text ("" when empty). */
  body: string;
  receivedAt: number;
}

const MAX_RECORDED = 5_000;

export function flatten(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

export class ToolTargetRecorder {
  private entries: ToolTargetRequest[] = [];

  add(entry: ToolTargetRequest): void {
    this.entries.push(entry);
    if (this.entries.length > MAX_RECORDED) this.entries.splice(0, this.entries.length - MAX_RECORDED);
  }

  /** Requests whose path, query, headers or body contain `contains` (tests put a unique nonce there). */
  list(contains?: string): ToolTargetRequest[] {
    if (contains === undefined) return [...this.entries];
    return this.entries.filter((e) => JSON.stringify(e).includes(contains));
  }

  clear(): void {
    this.entries = [];
  }
}
