/** Random ids for files and batches (OpenAI-style prefixes; 96 random bits). */
export function newId(prefix: "file-" | "batch_"): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return prefix + [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}
