/**
 * Scrubs the values of `${VAR}` placeholders a call used (credentials in headers or the URL) from anything handed to
 * the model or the client: a tool that echoes its request would otherwise give a secret away. Both the raw and the
 * JSON-escaped spelling are replaced. Values shorter than MIN_SECRET are left alone: scrubbing `80` or `true` would
 * mangle results while protecting nothing.
 */

export const REDACTED = "[redacted]";
const MIN_SECRET = 6;

export type Redactor = (text: string) => string;

export function redactor(values: readonly string[]): Redactor {
  const needles = new Set<string>();
  for (const value of values) {
    if (value.length < MIN_SECRET) continue;
    needles.add(value);
    needles.add(JSON.stringify(value).slice(1, -1));
    try {
      needles.add(encodeURIComponent(value));
    } catch {
      // A lone surrogate has no percent-encoded spelling.
    }
  }
  const sorted = [...needles].sort((a, b) => b.length - a.length);
  if (sorted.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const needle of sorted) out = out.replaceAll(needle, REDACTED);
    return out;
  };
}
