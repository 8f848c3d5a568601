/**
 * Encodes AWS event-stream frames as Bedrock sends them (prelude with total and headers length, prelude CRC32,
 * string headers, JSON payload, message CRC32), with node's own zlib CRC32 rather than the gateway's.
 */
import { crc32 } from "node:zlib";

function stringHeader(name: string, value: string): Buffer {
  const n = Buffer.from(name, "utf8");
  const v = Buffer.from(value, "utf8");
  const out = Buffer.alloc(1 + n.length + 1 + 2 + v.length);
  out.writeUInt8(n.length, 0);
  n.copy(out, 1);
  out.writeUInt8(7, 1 + n.length);
  out.writeUInt16BE(v.length, 2 + n.length);
  v.copy(out, 4 + n.length);
  return out;
}

export function encodeFrame(headers: Record<string, string>, payload: unknown): Buffer {
  const head = Buffer.concat(Object.entries(headers).map(([k, v]) => stringHeader(k, v)));
  const body = Buffer.from(JSON.stringify(payload), "utf8");
  const total = 12 + head.length + body.length + 4;
  const frame = Buffer.alloc(total);
  frame.writeUInt32BE(total, 0);
  frame.writeUInt32BE(head.length, 4);
  frame.writeUInt32BE(crc32(frame.subarray(0, 8)), 8);
  head.copy(frame, 12);
  body.copy(frame, 12 + head.length);
  frame.writeUInt32BE(crc32(frame.subarray(0, total - 4)), total - 4);
  return frame;
}

/** A ConverseStream event frame; Bedrock pads payloads with a `p` field, which decoders must ignore. */
export function eventFrame(eventType: string, payload: Record<string, unknown>): Buffer {
  return encodeFrame(
    { ":event-type": eventType, ":content-type": "application/json", ":message-type": "event" },
    { ...payload, p: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ".slice(0, 1 + (eventType.length % 30)) },
  );
}

export function exceptionFrame(exceptionType: string, message: string): Buffer {
  return encodeFrame(
    { ":exception-type": exceptionType, ":content-type": "application/json", ":message-type": "exception" },
    { message },
  );
}
