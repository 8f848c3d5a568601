import { UpstreamProtocolError } from "../../errors/upstream-protocol-error";
import { crc32 } from "./crc32";

/**
 * The binary `application/vnd.amazon.eventstream` framing (ConverseStream, InvokeModelWithResponseStream), decoded
 * incrementally: a frame is yielded as soon as its last byte arrives, whatever the network split. Each frame is
 * prelude (total length, headers length, prelude CRC32), headers, payload and a CRC32 of everything before it; both
 * CRCs are checked, so a corrupted or truncated stream is an error, never a wrong answer.
 */

export type HeaderValue = string | number | boolean | bigint | Uint8Array;

export interface EventStreamMessage {
  headers: Record<string, HeaderValue>;
  payload: Uint8Array;
}

const PRELUDE_BYTES = 12;
const TRAILER_BYTES = 4;
/** AWS caps a frame at 16 MiB; a larger length means a corrupt prelude, not a big event. */
const MAX_FRAME_BYTES = 16 * 1024 * 1024;

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function fail(why: string): never {
  throw new UpstreamProtocolError(`event stream: ${why}`);
}

function decodeHeaders(bytes: Uint8Array): Record<string, HeaderValue> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headers: Record<string, HeaderValue> = {};
  let at = 0;
  const need = (n: number) => {
    if (at + n > bytes.length) fail("header runs past its section");
  };
  while (at < bytes.length) {
    need(1);
    const nameLength = view.getUint8(at);
    at += 1;
    need(nameLength + 1);
    const name = utf8.decode(bytes.subarray(at, at + nameLength));
    at += nameLength;
    const type = view.getUint8(at);
    at += 1;
    let value: HeaderValue;
    switch (type) {
      case 0:
      case 1:
        value = type === 0;
        break;
      case 2:
        need(1);
        value = view.getInt8(at);
        at += 1;
        break;
      case 3:
        need(2);
        value = view.getInt16(at);
        at += 2;
        break;
      case 4:
        need(4);
        value = view.getInt32(at);
        at += 4;
        break;
      case 5:
      case 8:
        need(8);
        value = view.getBigInt64(at);
        at += 8;
        break;
      case 6:
      case 7: {
        need(2);
        const length = view.getUint16(at);
        at += 2;
        need(length);
        const raw = bytes.slice(at, at + length);
        value = type === 7 ? utf8.decode(raw) : raw;
        at += length;
        break;
      }
      case 9:
        need(16);
        value = bytes.slice(at, at + 16);
        at += 16;
        break;
      default:
        fail(`unknown header type ${type}`);
    }
    headers[name] = value;
  }
  return headers;
}

/** Decodes one whole frame (`frame.length` is its total length). */
export function decodeFrame(frame: Uint8Array): EventStreamMessage {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const total = view.getUint32(0);
  const headersLength = view.getUint32(4);
  if (view.getUint32(8) !== crc32(frame, 0, 8)) fail("prelude CRC mismatch");
  if (view.getUint32(total - TRAILER_BYTES) !== crc32(frame, 0, total - TRAILER_BYTES)) fail("message CRC mismatch");
  const headersEnd = PRELUDE_BYTES + headersLength;
  return {
    headers: decodeHeaders(frame.subarray(PRELUDE_BYTES, headersEnd)),
    payload: frame.slice(headersEnd, total - TRAILER_BYTES),
  };
}

/** Frames from a byte stream, each yielded as soon as it is complete. A stream cut mid-frame throws. */
export async function* decodeEventStream(body: ReadableStream<Uint8Array>): AsyncGenerator<EventStreamMessage> {
  let buffer = new Uint8Array(0);
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (value.length === 0) continue;
      const joined = new Uint8Array(buffer.length + value.length);
      joined.set(buffer);
      joined.set(value, buffer.length);
      buffer = joined;
      let start = 0;
      while (buffer.length - start >= PRELUDE_BYTES) {
        const view = new DataView(buffer.buffer, buffer.byteOffset + start, PRELUDE_BYTES);
        const total = view.getUint32(0);
        const headersLength = view.getUint32(4);
        // The prelude CRC is checked before its lengths are trusted to wait for more bytes.
        if (view.getUint32(8) !== crc32(buffer, start, start + 8)) fail("prelude CRC mismatch");
        if (total > MAX_FRAME_BYTES || total < PRELUDE_BYTES + TRAILER_BYTES + headersLength) {
          fail(`frame length ${total} is not plausible`);
        }
        if (buffer.length - start < total) break;
        yield decodeFrame(buffer.subarray(start, start + total));
        start += total;
      }
      buffer = buffer.slice(start);
    }
    if (buffer.length > 0) fail("stream ended inside a frame");
  } finally {
    reader.releaseLock();
  }
}
