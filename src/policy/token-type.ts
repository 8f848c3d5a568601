/** RFC 7515 §4.1.9: a JWT's `typ` is compared without case, and may omit the `application/` prefix. */
export function normalizeTokenType(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.startsWith("application/") ? lower.slice("application/".length) : lower;
}
