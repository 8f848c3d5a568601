/**
 * Reads a response body up to a byte cap, counting what the body stream yields. The Workers runtime decompresses
 * gzip/deflate/br transparently, so the count is of decompressed bytes: a small compressed body that inflates past
 * the cap (a zip bomb) is cut off as it inflates, never buffered whole.
 */

export type CappedRead =
  | { ok: true; data: Uint8Array; bytes: number }
  | { ok: false; reason: "too_large"; bytes: number }
  | { ok: false; reason: "error"; bytes: number; error: unknown };

export async function readCapped(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<CappedRead> {
  if (body === null) return { ok: true, data: new Uint8Array(0), bytes: 0 };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      if (bytes > maxBytes) {
        await reader.cancel().catch(() => undefined);
        return { ok: false, reason: "too_large", bytes };
      }
      chunks.push(value);
    }
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    return { ok: false, reason: "error", bytes, error };
  }
  const data = new Uint8Array(bytes);
  let offset = 0;
  for (const chunk of chunks) {
    data.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { ok: true, data, bytes };
}
