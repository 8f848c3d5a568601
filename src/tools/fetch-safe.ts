import type { ToolHttpMethod } from "../policy/types";
import type { Allowlist } from "./host-allowlist";
import { checkOutboundUrl } from "./outbound-url";
import { readCapped } from "./read-capped";
import { followRedirect, isRedirect } from "./redirects";

/**
 * The tool request itself: redirects are followed by hand (`redirect: "manual"`) so every hop passes the same URL
 * check as the first, at most `maxRedirects` of them; one deadline (AbortSignal) covers connecting, every hop and
 * reading the body; the body is read up to `maxBytes` after decompression. Failures carry client-safe messages
 * (a host name at most): never a URL (queries may hold secrets), a header value or the runtime's own error text.
 */

export interface SafeRequest {
  method: ToolHttpMethod;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface SafeFetchOptions {
  fetch: typeof fetch;
  allowlist: Allowlist;
  maxRedirects: number;
  maxBytes: number;
  timeoutMs: number;
  /** The caller's own cancellation (client gone), on top of the timeout. */
  signal?: AbortSignal;
}

export type SafeFetchFailure =
  | "tool_target_refused"
  | "tool_redirect_refused"
  | "tool_timeout"
  | "tool_response_too_large"
  | "tool_failed";

export interface SafeFetchError {
  ok: false;
  code: SafeFetchFailure;
  message: string;
  /** Response bytes read before the failure. */
  bytes: number;
  /** The tool's HTTP status, when it answered. */
  status?: number;
}

export type SafeFetchResult =
  | { ok: true; status: number; contentType: string; data: Uint8Array; bytes: number; redirects: number }
  | SafeFetchError;

function fail(code: SafeFetchFailure, message: string, bytes = 0, status?: number): SafeFetchError {
  return status === undefined ? { ok: false, code, message, bytes } : { ok: false, code, message, bytes, status };
}

export async function safeFetch(req: SafeRequest, opts: SafeFetchOptions): Promise<SafeFetchResult> {
  const first = checkOutboundUrl(req.url, opts.allowlist);
  if (!first.ok) return fail("tool_target_refused", first.message);
  if (opts.signal?.aborted === true) return fail("tool_failed", "The tool call was cancelled.");

  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, opts.timeoutMs);
  const onCallerAbort = () => controller.abort();
  opts.signal?.addEventListener("abort", onCallerAbort, { once: true });
  const stopped = (bytes = 0): SafeFetchError =>
    timedOut
      ? fail("tool_timeout", `The tool did not answer within ${opts.timeoutMs} ms.`, bytes)
      : fail("tool_failed", "The tool call was cancelled.", bytes);

  try {
    let url = first.url;
    let method = req.method;
    let body = req.body;
    let headers = req.headers;
    for (let redirects = 0; ; redirects++) {
      let res: Response;
      try {
        const init: RequestInit = { method, headers, redirect: "manual", signal: controller.signal };
        if (body !== undefined) init.body = body;
        res = await opts.fetch(hrefWithoutFragment(url), init);
      } catch {
        if (controller.signal.aborted) return stopped();
        return fail("tool_failed", `The tool at ${url.host} could not be reached.`);
      }
      if (isRedirect(res)) {
        await res.body?.cancel().catch(() => undefined);
        if (redirects >= opts.maxRedirects) {
          const why =
            opts.maxRedirects === 0 ? "this tool follows no redirects" : `at most ${opts.maxRedirects} allowed`;
          return fail("tool_redirect_refused", `The tool answered with a redirect (${why}).`, 0, res.status);
        }
        const next = followRedirect(url, res, { method, body, headers }, opts.allowlist);
        if (!next.ok) return fail("tool_redirect_refused", `Redirect refused: ${next.message}`, 0, res.status);
        ({ url, method, body, headers } = next);
        continue;
      }
      return await readBody(res, opts, redirects, controller, stopped);
    }
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener("abort", onCallerAbort);
  }
}

async function readBody(
  res: Response,
  opts: SafeFetchOptions,
  redirects: number,
  controller: AbortController,
  stopped: (bytes: number) => SafeFetchError,
): Promise<SafeFetchResult> {
  const tooLarge = (bytes: number) =>
    fail("tool_response_too_large", `The tool's response is larger than ${opts.maxBytes} bytes.`, bytes, res.status);
  // A declared length of an unencoded body settles it before reading; an encoded one says nothing about the result.
  const declared = Number(res.headers.get("content-length") ?? Number.NaN);
  if (res.headers.get("content-encoding") === null && declared > opts.maxBytes) {
    controller.abort();
    await res.body?.cancel().catch(() => undefined);
    return tooLarge(0);
  }
  const read = await readCapped(res.body, opts.maxBytes);
  if (!read.ok) {
    if (read.reason === "too_large") {
      controller.abort();
      return tooLarge(read.bytes);
    }
    if (controller.signal.aborted) return stopped(read.bytes);
    return fail("tool_failed", "The tool's response broke off.", read.bytes, res.status);
  }
  return {
    ok: true,
    status: res.status,
    contentType: res.headers.get("content-type") ?? "",
    data: read.data,
    bytes: read.bytes,
    redirects,
  };
}

function hrefWithoutFragment(url: URL): string {
  const copy = new URL(url.href);
  copy.hash = "";
  return copy.href;
}
