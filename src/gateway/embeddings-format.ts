import type { EmbeddingsResponse } from "../canonical/chat";

/**
 * OpenAI SDKs ask for `encoding_format: "base64"` by default and decode little-endian float32. Upstreams that only
 * return float arrays (Gemini, some origins) are re-encoded here so every client gets the format it asked for.
 */
export function applyEncodingFormat(
  res: EmbeddingsResponse,
  format: "float" | "base64" | undefined,
): EmbeddingsResponse {
  if (format !== "base64") return res;
  return {
    ...res,
    data: res.data.map((item) =>
      typeof item.embedding === "string" ? item : { ...item, embedding: float32Base64(item.embedding) },
    ),
  };
}

function float32Base64(values: number[]): string {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i] ?? 0, true);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
