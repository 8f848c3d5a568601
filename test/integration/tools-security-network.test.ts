// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` is the placeholder syntax of tool definitions under test.
import { describe, expect, it } from "vitest";
import { executeTool } from "../../src/tools";
import {
  errorOf,
  eventsOf,
  FAKE_UPSTREAM_URL,
  harness,
  invoke,
  marker,
  TARGET_HOST,
  TARGET_URL,
  TOOL_SECRET,
  targetRequests,
  targetTool,
  toolKey,
  UPSTASH_URL,
  workerLedger,
} from "./tools-helpers";

/**
 * Issue 5's security cases for where a tool request may go and what may come back: outbound URL checks on the parsed
 * URL, redirects, size and time caps, header injection. The tool target (127.0.0.1:PORT) is allowlisted by exact host
 * and port in the test policy; everything else on loopback must stay unreachable.
 */

const PORT = TARGET_HOST.split(":")[1] ?? "";

async function fakeUpstreamSaw(path: string): Promise<number> {
  const res = await fetch(`${FAKE_UPSTREAM_URL}/__requests?path=${encodeURIComponent(path)}`);
  return ((await res.json()) as unknown[]).length;
}

describe("outbound URL checks on the tool's own URL", () => {
  it.each([
    ["a non-http scheme", "ftp://${TOOL_TARGET_HOST}/echo"],
    ["file:", "file:///etc/passwd"],
    ["userinfo", "http://user:pw@${TOOL_TARGET_HOST}/echo"],
    ["a host not on the allowlist", "https://example.com/echo"],
    ["another port of the allowlisted host", `http://127.0.0.1:1/echo`],
    ["the target's host written in decimal", `http://2130706433:${PORT}/echo`],
    ["the target's host written in hex", `http://0x7f000001:${PORT}/echo`],
    ["the target's host written in octal", `http://0177.0.0.1:${PORT}/echo`],
    ["the target's host in short form", `http://127.1:${PORT}/echo`],
    ["the target's host as IPv4-mapped IPv6", `http://[::ffff:127.0.0.1]:${PORT}/echo`],
    ["the target's port with a leading zero", `http://127.0.0.1:0${PORT}/echo`],
    ["localhost on the target's port", `http://localhost:${PORT}/echo`],
  ])("refuses %s before any request", async (_label, url) => {
    const h = await harness([targetTool("t", { url })]);
    const outcome = await executeTool(h.deps, h.call("t", {}));
    expect(outcome).toMatchObject({ decision: "refused", status: 403, error: { code: "tool_target_refused" } });
    expect(outcome.bytes).toBe(0);
  });

  it("loopback needs an entry with the exact port: a port-less 127.0.0.1 entry opens nothing", async () => {
    const h = await harness([targetTool("t", { allowed_hosts: ["127.0.0.1"], allowed_ports: [Number(PORT)] })]);
    const outcome = await executeTool(h.deps, h.call("t", {}));
    expect(outcome).toMatchObject({ decision: "refused", error: { code: "tool_target_refused" } });
    expect(outcome.decision !== "executed" && outcome.error.message).toMatch(/loopback/);
  });

  it.each([
    ["the gateway itself", "http://gateway.test/v1/models"],
    ["a provider (the fake upstream)", `${FAKE_UPSTREAM_URL}/v1/models`],
    ["the store (Upstash REST front)", `${UPSTASH_URL}/get/x`],
  ])("never reaches %s unless an admin allowlisted that exact host", async (_label, url) => {
    const h = await harness([targetTool("t", { url })]);
    const before = await fakeUpstreamSaw("/v1/models");
    const outcome = await executeTool(h.deps, h.call("t", {}));
    expect(outcome).toMatchObject({ decision: "refused", error: { code: "tool_target_refused" } });
    expect(await fakeUpstreamSaw("/v1/models")).toBe(before);
  });

  it.each([
    "2130706433",
    "0x7f000001",
    "127.1",
    "localhost",
    "[::1]",
    "169.254.169.254",
    "evil.com",
    "127.0.0.1@evil.com",
  ])("a host slot takes only an allowlisted host: %s", async (host) => {
    const h = await harness([
      targetTool(
        "t",
        { url: `http://{host}:${PORT}/echo` },
        { parameters: { type: "object", additionalProperties: true } },
      ),
    ]);
    const outcome = await executeTool(h.deps, h.call("t", { host }));
    expect(outcome.decision).toBe("refused");
    expect(outcome.decision !== "executed" && outcome.error.code).toMatch(/tool_arguments_invalid|tool_target_refused/);
  });

  it("a host slot with the allowlisted host works", async () => {
    const h = await harness([targetTool("t", { url: `http://{host}:${PORT}/echo/{tag}` })]);
    const tag = marker();
    const outcome = await executeTool(h.deps, h.call("t", { host: "127.0.0.1", tag }));
    expect(outcome.decision).toBe("executed");
    expect(await targetRequests(tag)).toHaveLength(1);
  });
});

describe("redirects: every hop is checked like the first request", () => {
  const FORBIDDEN = [
    ["cloud metadata", "http://169.254.169.254/latest/meta-data/"],
    ["metadata by name", "http://metadata.google.internal/computeMetadata/v1/"],
    ["loopback in decimal", `http://2130706433:${PORT}/echo`],
    ["loopback in hex", `http://0x7f000001:${PORT}/echo`],
    ["loopback in octal", `http://0177.0.0.1:${PORT}/echo`],
    ["loopback short form", `http://127.1:${PORT}/echo`],
    ["IPv4-mapped IPv6", `http://[::ffff:127.0.0.1]:${PORT}/echo`],
    ["IPv4-mapped IPv6, hex", `http://[::ffff:7f00:1]:${PORT}/echo`],
    ["IPv6 loopback", `http://[::1]:${PORT}/echo`],
    ["IPv6 ULA", "http://[fd00::1]/"],
    ["IPv6 link-local", "http://[fe80::1]/"],
    ["CGNAT", "http://100.64.0.1/"],
    ["unspecified", `http://0.0.0.0:${PORT}/echo`],
    ["private", "http://10.0.0.1/"],
    ["localhost", `http://localhost:${PORT}/echo`],
    ["another loopback port (a provider)", `${FAKE_UPSTREAM_URL}/v1/models`],
    ["a host not on the allowlist", "http://example.com/"],
    ["userinfo", `http://user:pw@${TARGET_HOST}/echo`],
    ["a non-http scheme", "file:///etc/passwd"],
    ["ftp", `ftp://${TARGET_HOST}/echo`],
    ["a backslash trick", `/\\example.com/`],
    ["a scheme-relative host", "//example.com/"],
  ] as const;

  it.each(FORBIDDEN)("refuses a redirect to %s", async (_label, to) => {
    const { key, keyId } = await toolKey();
    const tag = marker();
    const sep = to.includes("?") ? "&" : "?";
    const res = await invoke("redirect_probe", { to: `${to}${sep}tag=${tag}` }, key);
    expect(res.status).toBe(502);
    expect((await errorOf(res)).code).toBe("tool_redirect_refused");
    // Only the first request (to /redirect) reached the target.
    expect((await targetRequests(tag)).map((r) => r.path)).toEqual(["/redirect"]);
    const [event] = await eventsOf(workerLedger(), "t-tools", keyId, res.headers.get("x-request-id") ?? "");
    expect(event).toMatchObject({
      cost: 0,
      tool: { decision: "failed", reason: "tool_redirect_refused", toolStatus: 302 },
    });
  });

  it("refuses a chain longer than max_redirects", async () => {
    const { key } = await toolKey();
    const tag = marker();
    const res = await invoke("redirect_probe", { to: `/chain/3?tag=${tag}` }, key);
    expect(res.status).toBe(502);
    expect(await errorOf(res)).toMatchObject({ code: "tool_redirect_refused", message: /at most 2/ });
    expect((await targetRequests(tag)).map((r) => r.path)).toEqual(["/redirect", "/chain/3", "/chain/2"]);
  });

  it("max_redirects 0 refuses any redirect, even to the same host", async () => {
    const h = await harness([targetTool("t", { url: "${TOOL_TARGET_URL}/redirect?to=/echo/{tag}" })]);
    const tag = marker();
    const outcome = await executeTool(h.deps, h.call("t", { tag }));
    expect(outcome).toMatchObject({ decision: "failed", error: { code: "tool_redirect_refused" } });
    expect((await targetRequests(tag)).map((r) => r.path)).toEqual(["/redirect"]);
  });

  it.each([301, 302, 303, 307, 308])("status %i is followed within the allowlist", async (status) => {
    const h = await harness([
      targetTool("t", { url: "${TOOL_TARGET_URL}/redirect?status={status}&to=/echo/{tag}", max_redirects: 1 }),
    ]);
    const tag = marker();
    const outcome = await executeTool(h.deps, h.call("t", { status, tag }));
    expect(outcome.decision).toBe("executed");
    expect((await targetRequests(tag)).map((r) => r.path)).toEqual(["/redirect", `/echo/${tag}`]);
  });

  it("a hop to another allowlisted origin does not carry the policy's credentials", async () => {
    const h = await harness([
      targetTool("t", {
        url: `\${TOOL_TARGET_URL}/redirect?to=http://localhost:${PORT}/echo/{tag}`,
        allowed_hosts: ["${TOOL_TARGET_HOST}", `localhost:${PORT}`],
        headers: { "x-tool-key": "${TOOL_API_SECRET}" },
        max_redirects: 1,
      }),
    ]);
    const tag = marker();
    const outcome = await executeTool(h.deps, h.call("t", { tag }));
    expect(outcome.decision).toBe("executed");
    const seen = await targetRequests(tag);
    expect(seen.map((r) => r.path)).toEqual(["/redirect", `/echo/${tag}`]);
    expect(seen[0]?.headers["x-tool-key"]).toBe(TOOL_SECRET);
    expect(seen[1]?.headers["x-tool-key"]).toBeUndefined();
  });
});

describe("responses over the cap (counted after decompression)", () => {
  it("big_response at the cap is fine, one byte over fails", async () => {
    const { key } = await toolKey();
    expect((await invoke("big_response", { bytes: 1024 }, key)).status).toBe(200);
    const res = await invoke("big_response", { bytes: 1025 }, key);
    expect(res.status).toBe(502);
    expect(await errorOf(res)).toMatchObject({ code: "tool_response_too_large", message: /1024 bytes/ });
  });

  it("a large response without content-length is cut off while streaming", async () => {
    const h = await harness([
      targetTool("t", { url: "${TOOL_TARGET_URL}/big-chunked?bytes=1000000", max_response_bytes: 1024 }),
    ]);
    const outcome = await executeTool(h.deps, h.call("t", {}));
    expect(outcome).toMatchObject({ decision: "failed", error: { code: "tool_response_too_large" } });
    // Reading stopped soon after the cap, far from the million bytes on offer.
    expect(outcome.bytes).toBeGreaterThan(1024);
    expect(outcome.bytes).toBeLessThan(200_000);
  });

  it("a gzip response small on the wire but over the cap decompressed fails (zip bomb)", async () => {
    const h = await harness([
      targetTool("t", {
        url: "${TOOL_TARGET_URL}/gzip?bytes={bytes}",
        max_response_bytes: 1024,
        result: { format: "text", max_chars: 5000 },
      }),
    ]);
    const small = await executeTool(h.deps, h.call("t", { bytes: 1000 }));
    expect(small).toMatchObject({ decision: "executed", bytes: 1000, result: "a".repeat(1000) });
    const bomb = await executeTool(h.deps, h.call("t", { bytes: 5_000_000 }));
    expect(bomb).toMatchObject({ decision: "failed", error: { code: "tool_response_too_large" } });
  });
});

describe("slow responses", () => {
  it("slow: over timeout_ms fails with tool_timeout; under it succeeds", async () => {
    const { key, keyId } = await toolKey();
    expect((await invoke("slow", { ms: 5 }, key)).status).toBe(200);
    const res = await invoke("slow", { ms: 3000 }, key);
    expect(res.status).toBe(504);
    expect((await errorOf(res)).code).toBe("tool_timeout");
    const [event] = await eventsOf(workerLedger(), "t-tools", keyId, res.headers.get("x-request-id") ?? "");
    expect(event).toMatchObject({ status: 504, tool: { decision: "failed", reason: "tool_timeout" } });
  });

  it("a body that stalls after the headers times out too", async () => {
    const h = await harness([
      targetTool("t", {
        url: "${TOOL_TARGET_URL}/slow-body?ms=3000",
        timeout_ms: 300,
        result: { format: "text", max_chars: 100 },
      }),
    ]);
    const outcome = await executeTool(h.deps, h.call("t", {}));
    expect(outcome).toMatchObject({ decision: "failed", error: { code: "tool_timeout" } });
  });
});

describe("header injection and attempts to set Host/Authorization", () => {
  it("CRLF in an argument stays percent-encoded in the path and never becomes a header", async () => {
    const { key } = await toolKey();
    const tag = marker();
    const res = await invoke("get_weather", { city: `${tag}\r\nX-Injected: yes\r\nHost: evil.com` }, key);
    expect(res.status).toBe(200);
    const [seen] = await targetRequests(tag);
    expect(seen?.path).toBe(`/weather/${tag}%0D%0AX-Injected%3A%20yes%0D%0AHost%3A%20evil.com`);
    expect(seen?.headers["x-injected"]).toBeUndefined();
    expect(seen?.headers.host).toBe(TARGET_HOST);
  });

  it("a secret that would put CRLF into a header refuses the call", async () => {
    const h = await harness(
      [targetTool("t", { url: "${TOOL_TARGET_URL}/echo/{tag}", headers: { "x-key": "${BAD}" } })],
      {
        vars: { BAD: "v\r\nHost: evil.com" },
      },
    );
    const tag = marker();
    const outcome = await executeTool(h.deps, h.call("t", { tag }));
    expect(outcome).toMatchObject({ decision: "refused", status: 500, error: { code: "tool_misconfigured" } });
    expect(outcome.decision !== "executed" && outcome.error.message).not.toContain("evil");
    expect(await targetRequests(tag)).toEqual([]);
  });

  it("a policy that sets Host is refused", async () => {
    const h = await harness([targetTool("t", { url: "${TOOL_TARGET_URL}/echo/{tag}", headers: { Host: "evil.com" } })]);
    const tag = marker();
    const outcome = await executeTool(h.deps, h.call("t", { tag }));
    expect(outcome).toMatchObject({ decision: "refused", error: { code: "tool_misconfigured" } });
    expect(await targetRequests(tag)).toEqual([]);
  });

  it("arguments named Host or Authorization stay in the JSON body", async () => {
    const h = await harness([targetTool("t", { method: "POST", body: "json", url: "${TOOL_TARGET_URL}/echo/{tag}" })]);
    const tag = marker();
    const args = { tag, Host: "evil.com", Authorization: "Bearer attacker", "x-tool-key": "attacker" };
    const outcome = await executeTool(h.deps, h.call("t", args));
    expect(outcome.decision).toBe("executed");
    const [seen] = await targetRequests(tag);
    expect(seen?.headers.host).toBe(TARGET_HOST);
    expect(seen?.headers.authorization).toBeUndefined();
    expect(seen?.headers["x-tool-key"]).toBeUndefined();
    expect(JSON.parse(seen?.body ?? "{}")).toEqual({
      Host: "evil.com",
      Authorization: "Bearer attacker",
      "x-tool-key": "attacker",
    });
  });

  it("the caller's headers (its key, forwarding headers, cookies) are never forwarded", async () => {
    const { key } = await toolKey();
    const city = marker();
    const res = await invoke("get_weather", { city }, key, {
      "x-forwarded-host": "evil.com",
      "x-forwarded-for": "10.0.0.1",
      cookie: "session=abc",
      "x-tool-key": "attacker-value",
      "x-custom": "hello",
    });
    expect(res.status).toBe(200);
    const [seen] = await targetRequests(city);
    const headers = seen?.headers ?? {};
    expect(headers["x-tool-key"]).toBe(TOOL_SECRET);
    for (const name of ["x-forwarded-host", "cookie", "x-custom", "authorization"])
      expect(headers[name], name).toBeUndefined();
    expect(JSON.stringify(headers)).not.toContain(key);
    expect(headers.host).toBe(TARGET_HOST);
  });
});

describe("the test target really is the only reachable loopback service", () => {
  it("TOOL_TARGET_URL is the allowlisted host:port", () => {
    expect(TARGET_URL).toBe(`http://${TARGET_HOST}`);
  });
});
