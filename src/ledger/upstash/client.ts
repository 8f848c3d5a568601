import { errors, Redis } from "@upstash/redis/cloudflare";
import { STORE_TIMEOUT_MS } from "../timeout";
import { StoreUnavailableError } from "../types";

export interface UpstashOptions {
  url: string;
  token: string;
  /** Key prefix, default "gw:". */
  prefix?: string;
  /** Client retries of network failures: false = none; default the client's (5 attempts, ~4 s in all). */
  retry?: false | { retries: number; backoff: (retryCount: number) => number };
  /** How long one store call may go unanswered, retries included (default STORE_TIMEOUT_MS). */
  timeoutMs?: number;
}

/**
 * Redis replies that mean our own code is wrong (a script error, a wrong type, a malformed command). Everything else
 * — fetch failures, non-JSON bodies, 5xx answers, "unavailable"/"loading" replies — means the store cannot serve us.
 */
const BUG_REPLY =
  /user_script|@user_function|^WRONGTYPE|^ERR (wrong number|syntax error|unknown command|value is not)/i;

/** Maps a client failure to what the ledger throws: bugs stay plain Errors, the rest is StoreUnavailableError. */
export function classify(error: unknown, what: string): Error {
  if (error instanceof errors.UpstashError && !(error instanceof errors.UpstashJSONParseError)) {
    if (BUG_REPLY.test(error.message)) return new Error(`ledger ${what} failed: ${error.message}`, { cause: error });
  }
  if (error instanceof errors.UrlError) return error;
  // The message is generic on purpose: client-facing text must not carry store details; the cause keeps them.
  return new StoreUnavailableError(`ledger store unavailable (${what})`, { cause: error });
}

/** Runs one store call, translating its failure. */
export async function guarded<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw classify(error, what);
  }
}

export function createRedis(opts: UpstashOptions): Redis {
  return new Redis({
    url: opts.url,
    token: opts.token,
    // Scripts return JSON text that we parse ourselves; the client's guessing would turn "12" into 12 and back.
    automaticDeserialization: false,
    enableTelemetry: false,
    // Each HTTP request (its retries included) is cut off at the store timeout, so a store that accepts a request and
    // never answers costs a timeout, not a hung fetch. A function: a fresh signal per request.
    signal: () => AbortSignal.timeout(opts.timeoutMs ?? STORE_TIMEOUT_MS),
    ...(opts.retry === undefined ? {} : { retry: opts.retry }),
  });
}

/** A Lua script run with EVALSHA (EVAL on NOSCRIPT) whose reply is JSON text. */
export interface JsonScript {
  run<T>(what: string, keys: string[], args: string[]): Promise<T>;
  runRaw(what: string, keys: string[], args: string[]): Promise<unknown>;
}

export function jsonScript(redis: Redis, source: string): JsonScript {
  const script = redis.createScript<unknown>(source);
  const runRaw = (what: string, keys: string[], args: string[]) => guarded(what, () => script.exec(keys, args));
  return {
    runRaw,
    async run<T>(what: string, keys: string[], args: string[]): Promise<T> {
      const reply = await runRaw(what, keys, args);
      if (typeof reply !== "string") throw new Error(`ledger ${what}: unexpected script reply`);
      return JSON.parse(reply) as T;
    },
  };
}
