/**
 * Scrubs the values of `${VAR}` placeholders a call used (credentials in headers or the URL) from anything handed to
 * the model or the client: a tool that echoes its request would otherwise give a secret away, and one that echoes it
 * encoded (a debug endpoint printing the Basic-auth header, a JSON-escaped copy, a hex dump) just as well. Replaced,
 * each case-insensitively (so upper- and lower-cased copies and upper-case hex go too):
 * - the raw value, its JSON-escaped spelling (with and without `\/`), and its percent-encoded spellings
 *   (encodeURIComponent, and form encoding with `+` for spaces);
 * - its hex (UTF-8 bytes);
 * - its base64 and base64url, at each of the three byte alignments, so a copy inside a longer encoded text
 *   (`base64("user:" + secret)`) is found too: only the characters that depend on the secret's bytes alone are matched.
 *
 * Values shorter than MIN_SCRUBBED_CHARS are left alone in URLs (scrubbing `80` or `true` would mangle results while
 * protecting nothing); a header credential that short is refused instead (MIN_SECRET_CHARS, see request-headers.ts),
 * because no scrubbing can hide it reliably.
 */

export const REDACTED = "[redacted]";
/** Shorter filled values are not scrubbed (ports, flags, short path parts). */
export const MIN_SCRUBBED_CHARS = 6;
/** Header credentials must be at least this long: shorter ones are too short to scrub without mangling results. */
export const MIN_SECRET_CHARS = 8;
/** An encoded fragment shorter than this is not matched (it would also match unrelated text). */
const MIN_FRAGMENT = 8;

export type Redactor = (text: string) => string;

const encoder = new TextEncoder();

function base64Of(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** The base64 characters determined by the value's bytes alone, for each alignment of the value in a longer text. */
function base64Fragments(bytes: Uint8Array): string[] {
  const out: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const padded = new Uint8Array(shift + bytes.length);
    padded.set(bytes, shift);
    const text = base64Of(padded);
    // Whole 3-byte groups: the first holds filler bytes when shifted, the last may be cut (its chars depend on what follows).
    const firstFull = shift === 0 ? 0 : 1;
    const lastFull = Math.floor(padded.length / 3);
    const fragment = text.slice(firstFull * 4, lastFull * 4);
    if (fragment.length >= MIN_FRAGMENT) out.push(fragment);
    if (shift === 0) out.push(text, text.replace(/=+$/, ""));
  }
  return out.flatMap((f) => [f, f.replaceAll("+", "-").replaceAll("/", "_")]);
}

function spellings(value: string): string[] {
  const out = [value];
  const json = JSON.stringify(value).slice(1, -1);
  out.push(json, json.replaceAll("/", "\\/"));
  try {
    const uri = encodeURIComponent(value);
    out.push(uri, uri.replaceAll("%20", "+"));
  } catch {
    // A lone surrogate has no percent-encoded spelling.
  }
  const bytes = encoder.encode(value);
  out.push([...bytes].map((b) => b.toString(16).padStart(2, "0")).join(""));
  out.push(...base64Fragments(bytes));
  return out;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export function redactor(values: readonly string[]): Redactor {
  const needles = new Set<string>();
  for (const value of values) {
    if (value.length < MIN_SCRUBBED_CHARS) continue;
    for (const spelling of spellings(value)) if (spelling.length >= MIN_SCRUBBED_CHARS) needles.add(spelling);
  }
  if (needles.size === 0) return (text) => text;
  // Longest first, so a spelling that contains another is replaced whole.
  const sorted = [...needles].sort((a, b) => b.length - a.length);
  const pattern = new RegExp(sorted.map(escapeRegExp).join("|"), "gi");
  return (text) => text.replace(pattern, REDACTED);
}
