import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context";
import { GatewayError } from "../errors";

/**
 * How much of an oversized body is read (and thrown away) before the 413 goes out. A client that is still uploading
 * when the server answers and closes sees a reset, not the answer: the official SDKs then report "fetch failed" and
 * retry the whole upload. Reading the rest lets the client finish sending and read our 413. Past this bound (a
 * multiple of the limit) the gateway stops paying for the bytes and answers at once.
 */
export const DRAIN_FACTOR = 8;

/**
 * Reads the request body with a hard size limit before anything else runs (auth included), so an oversized body is
 * always a 413 and never costs a store lookup. An oversized body is drained up to `DRAIN_FACTOR` times the limit
 * (never stored) so the client receives the 413.
 */
export function bodyLimit() {
  return createMiddleware<AppEnv>(async function bodyLimitMiddleware(c, next) {
    if (c.req.method !== "POST" && c.req.method !== "PUT" && c.req.method !== "PATCH") return next();
    const { config } = c.get("services").env;
    // Batch input files are far larger than any one request: they have their own limit.
    const limit = c.req.path === "/v1/files" ? config.MAX_FILE_BYTES : config.MAX_BODY_BYTES;
    const declared = Number(c.req.header("content-length") ?? Number.NaN);
    if (Number.isFinite(declared) && declared > limit) {
      if (declared <= limit * DRAIN_FACTOR) await drain(c.req.raw.body, limit * DRAIN_FACTOR);
      throw tooLarge(limit);
    }
    if (Number.isFinite(declared)) {
      // Length known and within the limit: one native read instead of a chunk loop.
      c.set("rawBody", await c.req.raw.text());
      return next();
    }
    const body = c.req.raw.body;
    if (body === null) {
      c.set("rawBody", "");
      return next();
    }
    const reader = body.getReader();
    const parts: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await drainReader(reader, limit * DRAIN_FACTOR - size);
        throw tooLarge(limit);
      }
      parts.push(value);
    }
    const bytes = new Uint8Array(size);
    let offset = 0;
    for (const p of parts) {
      bytes.set(p, offset);
      offset += p.byteLength;
    }
    c.set("rawBody", new TextDecoder().decode(bytes));
    return next();
  });
}

/** Reads and discards up to `bound` bytes, then cancels whatever is left. */
async function drain(body: ReadableStream<Uint8Array> | null, bound: number): Promise<void> {
  if (body !== null) await drainReader(body.getReader(), bound);
}

async function drainReader(reader: ReadableStreamDefaultReader<Uint8Array>, bound: number): Promise<void> {
  let left = bound;
  try {
    while (left > 0) {
      const { done, value } = await reader.read();
      if (done) return;
      left -= value.byteLength;
    }
    await reader.cancel();
  } catch {
    // The client hung up mid-upload: nobody is left to read the 413 either.
  }
}

function tooLarge(limit: number): GatewayError {
  return new GatewayError("payload_too_large", `Request body exceeds the limit of ${limit} bytes.`);
}

/** Parses the body read by `bodyLimit` as JSON; the content type must be JSON when given. */
export function jsonBody(rawBody: string, contentType: string | undefined): unknown {
  if (contentType !== undefined && !/^application\/(.+\+)?json\b/i.test(contentType.trim())) {
    throw new GatewayError("unsupported_media_type", "Request body must be JSON (content-type: application/json).");
  }
  if (rawBody.trim() === "") throw new GatewayError("invalid_json", "Request body is empty; expected a JSON object.");
  try {
    return JSON.parse(rawBody);
  } catch (err) {
    const detail = err instanceof Error ? err.message : "parse error";
    throw new GatewayError("invalid_json", `Request body is not valid JSON: ${detail}`);
  }
}
