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
  /** What the fake answered, once it knows (absent for requests it refused before generating an answer). */
  answer?: FakeAnswer;
}

/**
 * The fake's own account of an answer, so tests can compare what a gateway billed with what was really generated.
 * Token counts use the fake's token definition (words, see local/words.ts).
 */
export interface FakeAnswer {
  /** The fake's own count of the prompt and of the answer it generated. */
  promptTokens: number;
  completionTokens: number;
  /** The usage object put on the wire (deliberately wrong with `bad_usage`); absent when none was sent. */
  reportedUsage?: unknown;
  /** Streams only: content events written before the stream ended, and whether the stream was written to its end. */
  contentEvents?: number;
  completed?: boolean;
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

  /** Keeps the entry and returns it, so the answer can be attached once it is known. */
  add(entry: RecordedRequest): RecordedRequest {
    this.entries.push(entry);
    if (this.entries.length > MAX_RECORDED) this.entries.splice(0, this.entries.length - MAX_RECORDED);
    return entry;
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
