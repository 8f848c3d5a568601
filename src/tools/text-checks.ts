/**
 * Character checks written as code-point tests rather than regular expressions with control-character ranges
 * (which linters flag as likely mistakes; here they are the point).
 */

/** Controls, space, DEL and backslash: never in a well-formed absolute URL, and the URL parser would drop or reinterpret them. */
export function hasUnsafeUrlChar(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || c === 0x5c) return true;
  }
  return false;
}

/** CR, LF, NUL and other controls (tab aside) would split a request or make `Headers` throw; so would non-Latin-1. */
export function hasUnsafeHeaderChar(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f || c > 0xff) return true;
  }
  return false;
}
