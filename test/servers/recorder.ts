import type { IncomingHttpHeaders } from "node:http";

export interface RecordedRequest {
  method: string;
  /** Decoded path without the query string, e.g. "/v1/chat/completions". */
  path: string;
  /** Raw query string including "?", or "" (Gemini's "?alt=sse" lives here). */
  search: string;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Parsed JSON when the body is JSON, the raw text otherwise, null when empty. */
  body: unknown;
  /** Epoch milliseconds. */
  receivedAt: number;
}

/** Oldest entries go first, so a long benchmark run against the fake cannot grow memory without bound. */
const MAX_RECORDED = 10_000;

export function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

export interface RequestFilter {
  /** Substring of the JSON-serialised body. */
  contains?: string;
  path?: string;
}

export class Recorder {
  private entries: RecordedRequest[] = [];

  add(entry: RecordedRequest): void {
    this.entries.push(entry);
    if (this.entries.length > MAX_RECORDED) this.entries.splice(0, this.entries.length - MAX_RECORDED);
  }

  list(filter: RequestFilter = {}): RecordedRequest[] {
    return this.entries.filter((e) => {
      if (filter.path !== undefined && e.path !== filter.path) return false;
      if (filter.contains === undefined) return true;
      const text = typeof e.body === "string" ? e.body : JSON.stringify(e.body);
      return text.includes(filter.contains);
    });
  }

  clear(): void {
    this.entries = [];
  }
}
