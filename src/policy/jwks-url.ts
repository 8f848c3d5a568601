/**
 * The one rule for JWKS addresses, applied by the policy compiler to written URLs and by the verifier to URLs whose
 * `${VAR}` placeholders were filled at request time: keys that decide who is authenticated must come over TLS. Plain
 * http is accepted only to a loopback host, which a deployed Worker cannot reach, so it serves tests and local runs
 * without opening a path for a network attacker.
 */

export function isLoopbackHost(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** Why `value` is not an acceptable JWKS URL, or undefined when it is. */
export function jwksUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "is not a URL: write it as https://host[:port]/path";
  }
  if (url.protocol === "http:") {
    if (!isLoopbackHost(url.hostname)) {
      return "must use https:// (plain http:// is accepted only to a loopback host such as 127.0.0.1, for tests)";
    }
  } else if (url.protocol !== "https:") {
    return "must be an https:// URL";
  }
  if (url.username !== "" || url.password !== "") return "must not contain credentials";
  if (url.hash !== "") return "must not contain a #fragment";
  return undefined;
}
