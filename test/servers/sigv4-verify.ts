/**
 * AWS Signature Version 4 verification, written from AWS's documented algorithm with node:crypto only (independent
 * of the signing library the Worker uses), so a wrong canonicalisation, key, date, region or body hash is refused
 * with 403 as AWS refuses it.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

export interface SigV4Request {
  method: string;
  /** The path exactly as sent on the request line (still percent-encoded), without the query. */
  rawPath: string;
  /** The query string without `?`. */
  rawQuery: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type SigV4Result = { ok: true; accessKeyId: string } | { ok: false; reason: string };

const sha256 = (data: string) => createHash("sha256").update(data, "utf8").digest("hex");
const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data, "utf8").digest();

/** RFC 3986 percent-encoding of every byte but the unreserved ones, as SigV4 requires. */
function uriEncode(value: string): string {
  let out = "";
  for (const byte of Buffer.from(value, "utf8")) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(",") : v;
}

/** Services other than S3 encode each path segment once more on top of the request line's encoding. */
function canonicalUri(rawPath: string): string {
  return rawPath
    .split("/")
    .map((segment) => uriEncode(segment))
    .join("/");
}

function canonicalQuery(rawQuery: string): string {
  if (rawQuery === "") return "";
  return rawQuery
    .split("&")
    .map((pair) => {
      const [k = "", v = ""] = pair.split("=");
      return [uriEncode(decodeURIComponent(k)), uriEncode(decodeURIComponent(v))] as const;
    })
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
}

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

export function verifySigV4(
  req: SigV4Request,
  expected: { region: string; service: string; secrets: Record<string, string>; now?: number },
): SigV4Result {
  const auth = header(req.headers, "authorization");
  const m = auth === undefined ? null : AUTH.exec(auth);
  if (m === null) return { ok: false, reason: "missing or malformed SigV4 Authorization header" };
  const [, accessKeyId = "", date = "", region, service, signedList = "", signature = ""] = m;
  const secret = expected.secrets[accessKeyId];
  if (secret === undefined) return { ok: false, reason: "unknown access key id" };
  if (region !== expected.region || service !== expected.service)
    return { ok: false, reason: "wrong credential scope" };
  const amzDate = header(req.headers, "x-amz-date") ?? "";
  if (!amzDate.startsWith(date)) return { ok: false, reason: "x-amz-date does not match the credential date" };
  const when = Date.parse(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, "$1-$2-$3T$4:$5:$6Z"));
  if (!Number.isFinite(when) || Math.abs((expected.now ?? Date.now()) - when) > 5 * 60_000) {
    return { ok: false, reason: "signature expired or not yet valid" };
  }
  const signed = signedList.split(";");
  if (!signed.includes("host") || !signed.includes("x-amz-date"))
    return { ok: false, reason: "host and x-amz-date must be signed" };
  const bodyHash = sha256(req.body);
  const claimed = header(req.headers, "x-amz-content-sha256");
  if (claimed !== undefined && claimed !== bodyHash) return { ok: false, reason: "body hash mismatch" };
  const canonicalHeaders = signed
    .map((name) => `${name}:${(header(req.headers, name) ?? "").trim().replace(/\s+/g, " ")}\n`)
    .join("");
  const canonicalRequest = [
    req.method,
    canonicalUri(req.rawPath),
    canonicalQuery(req.rawQuery),
    canonicalHeaders,
    signedList,
    bodyHash,
  ].join("\n");
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonicalRequest)].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region ?? ""), service ?? ""), "aws4_request");
  const computed = createHmac("sha256", key).update(stringToSign, "utf8").digest();
  if (!timingSafeEqual(computed, Buffer.from(signature, "hex"))) {
    return { ok: false, reason: "The request signature we calculated does not match the signature you provided" };
  }
  return { ok: true, accessKeyId };
}
