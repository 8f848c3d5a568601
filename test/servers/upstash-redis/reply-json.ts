import { RespError, type RespValue } from "./resp";

/**
 * Raw Redis replies to Upstash REST JSON text. Written by hand rather than with JSON.stringify so integers beyond
 * 2^53 keep their exact digits on the wire, as Upstash sends them.
 */

/** `base64`: every string, at any depth, is the base64 of its raw bytes (`Upstash-Encoding: base64`); else UTF-8. */
export type ResponseEncoding = "base64" | "utf8";

function stringJson(bytes: Buffer, encoding: ResponseEncoding): string {
  return JSON.stringify(encoding === "base64" ? bytes.toString("base64") : bytes.toString("utf8"));
}

/**
 * A RESP value as JSON. An error nested inside an array (a Lua table holding `redis.error_reply`) has no Upstash
 * shape we could check; it becomes its message as a string, encoded like any other string.
 */
export function valueJson(value: RespValue, encoding: ResponseEncoding): string {
  if (value === null) return "null";
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (Buffer.isBuffer(value)) return stringJson(value, encoding);
  if (value instanceof RespError) return stringJson(Buffer.from(value.message, "utf8"), encoding);
  return `[${value.map((item) => valueJson(item, encoding)).join(",")}]`;
}

export function errorJson(message: string): string {
  return JSON.stringify({ error: message });
}

/** `{"result": ...}`, or `{"error": "..."}` for an error reply (error text is never encoded: the client reads it). */
export function entryJson(value: RespValue, encoding: ResponseEncoding): string {
  if (value instanceof RespError) return errorJson(value.message);
  return `{"result":${valueJson(value, encoding)}}`;
}

export function entriesJson(values: readonly RespValue[], encoding: ResponseEncoding): string {
  return `[${values.map((value) => entryJson(value, encoding)).join(",")}]`;
}
