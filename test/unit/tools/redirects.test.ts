import { describe, expect, it } from "vitest";
import { safeFetch } from "../../../src/tools/fetch-safe";
import { type Allowlist, resolveAllowlist } from "../../../src/tools/host-allowlist";
import { followRedirect } from "../../../src/tools/redirects";

function allowlist(hosts: string[]): Allowlist {
  const resolved = resolveAllowlist(hosts, [443], () => undefined);
  if (!resolved.ok) throw new Error(resolved.reason);
  return resolved.allowlist;
}

const LIST = allowlist(["api.example.com", "cdn.example.com", "plain.example.com:80"]);
const HERE = new URL("https://api.example.com/v1/items?x=1");
const STATE = {
  method: "POST" as const,
  body: '{"a":1}',
  headers: { authorization: "Bearer k", "content-type": "application/json", accept: "application/json" },
};

function redirect(status: number, location: string): Response {
  return new Response(null, { status, headers: { location } });
}

describe("followRedirect", () => {
  it("303 continues as a GET without a body", () => {
    expect(followRedirect(HERE, redirect(303, "/done"), STATE, LIST)).toMatchObject({
      ok: true,
      method: "GET",
      body: undefined,
      headers: { authorization: "Bearer k", accept: "application/json" },
    });
  });

  it.each([301, 302])("%i after a POST continues as a GET", (status) => {
    expect(followRedirect(HERE, redirect(status, "/x"), STATE, LIST)).toMatchObject({ ok: true, method: "GET" });
  });

  it.each([307, 308])("%i keeps the method and the body", (status) => {
    expect(followRedirect(HERE, redirect(status, "/x"), STATE, LIST)).toMatchObject({
      ok: true,
      method: "POST",
      body: '{"a":1}',
    });
  });

  it("resolves relative locations against the current URL", () => {
    const hop = followRedirect(HERE, redirect(302, "../other?y=2"), { ...STATE, method: "GET" }, LIST);
    expect(hop.ok && hop.url.href).toBe("https://api.example.com/other?y=2");
  });

  it("drops the policy's headers on a hop to another allowlisted origin", () => {
    const hop = followRedirect(HERE, redirect(307, "https://cdn.example.com/file"), STATE, LIST);
    expect(hop).toMatchObject({
      ok: true,
      headers: { "content-type": "application/json", accept: "application/json" },
    });
    expect(hop.ok && hop.headers.authorization).toBeUndefined();
  });

  it("refuses a downgrade from https to http, even to an allowlisted host", () => {
    expect(followRedirect(HERE, redirect(302, "http://plain.example.com/"), STATE, LIST)).toMatchObject({ ok: false });
  });

  it.each([
    "https://evil.com/",
    "//evil.com/",
    "/\\evil.com/",
    "https://api.example.com@evil.com/",
    "http://169.254.169.254/",
    "javascript:alert(1)",
    "https://api.example.com/ x",
    "https://api.example.com/\tx",
    "",
  ])("refuses %j", (location) => {
    expect(followRedirect(HERE, redirect(302, location), STATE, LIST).ok).toBe(false);
  });
});

describe("safeFetch with a scripted upstream", () => {
  const base = { allowlist: LIST, maxRedirects: 1, maxBytes: 10, timeoutMs: 1000 };

  it("refuses a declared content-length over the cap without reading the body", async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      cancel() {
        cancelled = true;
      },
    });
    const fetch = async () => new Response(body, { headers: { "content-length": "11" } });
    const result = await safeFetch({ method: "GET", url: "https://api.example.com/", headers: {} }, { ...base, fetch });
    expect(result).toMatchObject({ ok: false, code: "tool_response_too_large", bytes: 0 });
    expect(cancelled).toBe(true);
  });

  it("reports a network error without the runtime's message", async () => {
    const fetch = async () => {
      throw new TypeError("connect ECONNREFUSED 10.0.0.1:443 secret-ish detail");
    };
    const result = await safeFetch({ method: "GET", url: "https://api.example.com/", headers: {} }, { ...base, fetch });
    expect(result).toEqual({
      ok: false,
      code: "tool_failed",
      message: "The tool at api.example.com could not be reached.",
      bytes: 0,
    });
  });

  it("stops when the caller goes away", async () => {
    const controller = new AbortController();
    const fetch = (_input: RequestInfo | URL, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
        controller.abort();
      });
    const result = await safeFetch(
      { method: "GET", url: "https://api.example.com/", headers: {} },
      { ...base, fetch, signal: controller.signal },
    );
    expect(result).toMatchObject({ ok: false, code: "tool_failed", message: /cancelled/ });
  });

  it("sends redirect: manual and strips the fragment", async () => {
    const seen: { url: string; redirect: string | undefined }[] = [];
    const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      seen.push({ url: String(input), redirect: init?.redirect });
      return new Response("ok");
    };
    await safeFetch({ method: "GET", url: "https://api.example.com/a#frag", headers: {} }, { ...base, fetch });
    expect(seen).toEqual([{ url: "https://api.example.com/a", redirect: "manual" }]);
  });
});
