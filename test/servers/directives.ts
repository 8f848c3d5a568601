import type { IncomingHttpHeaders } from "node:http";
import type { Parsed } from "../../local/conversation";

/**
 * Fault and shape steering for the fake upstream. Directives come from `x-fake-<key>` request headers and from
 * `;key=value` segments appended to the model name ("m1;status=503;delay_ms=50"); the model name wins, because a
 * gateway forwards the model it routes to but not necessarily the caller's headers.
 */
export interface Directives {
  /** Respond with this status (>= 400) and the provider-shaped error body. */
  status?: number;
  delayMs: number;
  chunkDelayMs: number;
  /** Stream: send this many content events, then destroy the socket with no terminator. */
  dropAfter?: number;
  /** Stream: send this many content events, then end the response CLEANLY with no finish and no terminator. */
  endAfter?: number;
  omitUsage: boolean;
  /** Write SSE bytes in 1..7-byte pieces with some CRLF line endings. */
  split: boolean;
  /** Number of output words for a text answer. */
  tokens: number;
  /** The first N requests carrying `key` fail (503 or `status`). */
  failFirst?: number;
  key: string;
  /** Stream: after this many content events send a provider-shaped error event, then end. */
  errorMidStream?: number;
  /** 200 with invalid JSON, or an invalid SSE data payload. */
  garbage: boolean;
  /** Report deliberately wrong usage numbers (OpenAI dialect), to test that a gateway does not trust them. */
  badUsage?: BadUsage;
  /** Generate `tokens` words whatever `max_tokens` says: an upstream that overruns its grant. */
  ignoreMaxTokens: boolean;
  /**
   * OpenAI JSON answers only: when the request offers tools and its last message is the user's, call exactly these
   * tools (`calls=<base64url of a JSON array of {name, arguments}>`), for tool-loop tests.
   */
  calls?: ScriptedCall[];
  /** With `calls`: call them again after tool results too (a model that never stops calling tools). */
  callsRepeat: boolean;
  /**
   * Report this many prompt tokens as read from the provider's prompt cache, in the dialect's own field (OpenAI
   * `prompt_tokens_details.cached_tokens`, Anthropic `cache_read_input_tokens`, Gemini `cachedContentTokenCount`).
   */
  cached: number;
  /** Report this many prompt tokens as written to the prompt cache (Anthropic `cache_creation_input_tokens`). */
  cacheWrite: number;
  /** OpenAI chat: answer exactly this text (`text=<base64url>`; words re-joined by single spaces). */
  text?: string;
  /** OpenAI chat with `logprobs: true`: each token's probability (default 0.9), reported as its natural log. */
  tokenProb: number;
  /** With logprobs: the last token's probability instead (one unlikely token in a confident answer). */
  minTokenProb?: number;
}

export interface ScriptedCall {
  name: string;
  /** The arguments string exactly as the model "writes" it (may be invalid JSON on purpose). */
  arguments: string;
}

function parseCalls(value: string): Parsed<ScriptedCall[]> {
  try {
    const json: unknown = JSON.parse(Buffer.from(value, "base64url").toString("utf8"));
    if (Array.isArray(json) && json.every((c) => typeof c?.name === "string" && typeof c?.arguments === "string")) {
      return { ok: true, value: json as ScriptedCall[] };
    }
  } catch {
    // reported below
  }
  return { ok: false, message: "fake directive calls: expected base64url JSON [{name, arguments}]" };
}

/**
 * Kinds of untrustworthy usage: negative or fractional counts, an absurdly large completion count, a total below
 * prompt + completion, or counts sent as JSON `null` (what `NaN` becomes on the wire).
 */
export const BAD_USAGE_KINDS = [
  "negative",
  "fractional",
  "huge",
  "inconsistent",
  "nan",
  /** `completion_tokens: -0` on the wire (JSON allows it; JSON.stringify cannot write it, see NEGATIVE_ZERO). */
  "negative_zero",
  /** 0 prompt and 0 completion tokens for a delivered answer. */
  "zero",
  /** `prompt_tokens_details.cached_tokens` above `prompt_tokens`. */
  "cached_over_prompt",
] as const;

/** A value the fake's writers turn into a bare `-0` on the wire (outcome.ts). */
export const NEGATIVE_ZERO = "__fake_negative_zero__";
export type BadUsage = (typeof BAD_USAGE_KINDS)[number];

function isBadUsage(value: string): value is BadUsage {
  return (BAD_USAGE_KINDS as readonly string[]).includes(value);
}

export const DEFAULT_TOKENS = 8;
export const DEFAULT_TOKEN_PROB = 0.9;

type Key =
  | "status"
  | "delay_ms"
  | "chunk_delay_ms"
  | "drop_after"
  | "end_after"
  | "omit_usage"
  | "split"
  | "tokens"
  | "fail_first"
  | "key"
  | "error_mid_stream"
  | "garbage"
  | "bad_usage"
  | "ignore_max_tokens"
  | "calls"
  | "calls_repeat"
  | "cached"
  | "cache_write"
  | "text"
  | "token_prob"
  | "min_token_prob";

const KEYS: ReadonlySet<string> = new Set<Key>([
  "status",
  "delay_ms",
  "chunk_delay_ms",
  "drop_after",
  "end_after",
  "omit_usage",
  "split",
  "tokens",
  "fail_first",
  "key",
  "error_mid_stream",
  "garbage",
  "bad_usage",
  "ignore_max_tokens",
  "calls",
  "calls_repeat",
  "cached",
  "cache_write",
  "text",
  "token_prob",
  "min_token_prob",
]);

const HEADER_PREFIX = "x-fake-";

/** Splits "m1;status=503" into the model the upstream reports ("m1") and its raw directives. */
export function splitModel(modelWithDirectives: string): { model: string; raw: Map<string, string> } {
  const [model = "", ...segments] = modelWithDirectives.split(";");
  const raw = new Map<string, string>();
  for (const seg of segments) {
    if (seg.trim() === "") continue;
    const eq = seg.indexOf("=");
    raw.set((eq === -1 ? seg : seg.slice(0, eq)).trim(), eq === -1 ? "1" : seg.slice(eq + 1).trim());
  }
  return { model: model.trim(), raw };
}

function fromHeaders(headers: IncomingHttpHeaders): Map<string, string> {
  const raw = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith(HEADER_PREFIX) || value === undefined) continue;
    // Underscores in header names are dropped by some proxies, so `x-fake-delay-ms` works too.
    const key = name.slice(HEADER_PREFIX.length).replaceAll("-", "_");
    raw.set(key, Array.isArray(value) ? (value[0] ?? "") : value);
  }
  return raw;
}

function intIn(key: string, value: string, min: number, max: number): Parsed<number> {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    return { ok: false, message: `fake directive ${key}=${value}: expected an integer in [${min}, ${max}]` };
  }
  return { ok: true, value: n };
}

function probability(key: string, value: string): Parsed<number> {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0 || n > 1) {
    return { ok: false, message: `fake directive ${key}=${value}: expected a probability in (0, 1]` };
  }
  return { ok: true, value: n };
}

function base64Text(key: string, value: string): Parsed<string> {
  const text = Buffer.from(value, "base64url").toString("utf8");
  if (text === "" && value !== "") return { ok: false, message: `fake directive ${key}: expected base64url text` };
  return { ok: true, value: text };
}

function flag(value: string): boolean {
  return value === "1" || value === "true";
}

/** Unknown keys and bad values are refused (400), so a typo in a test fails loudly instead of being ignored. */
export function parseDirectives(
  headers: IncomingHttpHeaders,
  modelWithDirectives: string | undefined,
): Parsed<{ model: string; directives: Directives }> {
  const split = splitModel(modelWithDirectives ?? "");
  const raw = fromHeaders(headers);
  for (const [k, v] of split.raw) raw.set(k, v);

  const d: Directives = {
    delayMs: 0,
    chunkDelayMs: 0,
    omitUsage: false,
    split: false,
    tokens: DEFAULT_TOKENS,
    key: "",
    garbage: false,
    ignoreMaxTokens: false,
    callsRepeat: false,
    cached: 0,
    cacheWrite: 0,
    tokenProb: DEFAULT_TOKEN_PROB,
  };
  const ints: Record<string, [number, number, (n: number) => void]> = {
    status: [400, 599, (n) => (d.status = n)],
    delay_ms: [0, 120_000, (n) => (d.delayMs = n)],
    chunk_delay_ms: [0, 10_000, (n) => (d.chunkDelayMs = n)],
    drop_after: [0, 100_000, (n) => (d.dropAfter = n)],
    end_after: [0, 100_000, (n) => (d.endAfter = n)],
    tokens: [0, 100_000, (n) => (d.tokens = n)],
    fail_first: [0, 1_000_000, (n) => (d.failFirst = n)],
    error_mid_stream: [0, 100_000, (n) => (d.errorMidStream = n)],
    cached: [0, 10_000_000, (n) => (d.cached = n)],
    cache_write: [0, 10_000_000, (n) => (d.cacheWrite = n)],
  };
  for (const [key, value] of raw) {
    if (!KEYS.has(key)) return { ok: false, message: `unknown fake directive '${key}'` };
    const int = ints[key];
    if (int !== undefined) {
      const n = intIn(key, value, int[0], int[1]);
      if (!n.ok) return n;
      int[2](n.value);
    } else if (key === "key") d.key = value;
    else if (key === "omit_usage") d.omitUsage = flag(value);
    else if (key === "split") d.split = flag(value);
    else if (key === "garbage") d.garbage = flag(value);
    else if (key === "ignore_max_tokens") d.ignoreMaxTokens = flag(value);
    else if (key === "calls_repeat") d.callsRepeat = flag(value);
    else if (key === "token_prob" || key === "min_token_prob") {
      const p = probability(key, value);
      if (!p.ok) return p;
      if (key === "token_prob") d.tokenProb = p.value;
      else d.minTokenProb = p.value;
    } else if (key === "text") {
      const text = base64Text(key, value);
      if (!text.ok) return text;
      d.text = text.value;
    } else if (key === "calls") {
      const calls = parseCalls(value);
      if (!calls.ok) return calls;
      d.calls = calls.value;
    } else if (key === "bad_usage") {
      if (!isBadUsage(value)) {
        return {
          ok: false,
          message: `fake directive bad_usage=${value}: expected one of ${BAD_USAGE_KINDS.join(", ")}`,
        };
      }
      d.badUsage = value;
    }
  }
  return { ok: true, value: { model: split.model, directives: d } };
}
