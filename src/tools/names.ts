/**
 * Tool names are matched exactly, never normalised: a name that differs from an allowlisted one in case, whitespace,
 * zero-width or bidi characters, a prefix or suffix, or a Unicode look-alike letter is simply not allowlisted. Names
 * outside the function-name alphabet every model API accepts (`[A-Za-z0-9_-]{1,64}`) are refused before any lookup.
 */

export type NameResult = { ok: true; name: string } | { ok: false; message: string };

const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Shows untrusted text safely in messages and audit records: ASCII only, invisible characters made visible. */
export function printable(text: string, max = 80): string {
  let out = "";
  for (const ch of text) {
    if (out.length >= max) return `${out}...`;
    const code = ch.codePointAt(0) ?? 0;
    out += code >= 0x20 && code < 0x7f && ch !== "\\" ? ch : `\\u{${code.toString(16)}}`;
  }
  return out;
}

export function resolveToolName(requested: unknown, allowed: readonly string[]): NameResult {
  if (typeof requested !== "string") return { ok: false, message: "The tool name must be a string." };
  const shown = printable(requested);
  if (!TOOL_NAME.test(requested) || !allowed.includes(requested)) {
    return { ok: false, message: `Tool "${shown}" is not allowlisted for this caller.` };
  }
  return { ok: true, name: requested };
}
