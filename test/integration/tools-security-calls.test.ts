// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` is the placeholder syntax of tool definitions under test.
import { describe, expect, it } from "vitest";
import { executeTool } from "../../src/tools";
import { gw } from "../helpers/gateway";
import { TEST_KEYS } from "../helpers/keys";
import { INJECTION_TEXT } from "../servers/tool-target/routes";
import {
  errorOf,
  eventsOf,
  expectNoSecret,
  harness,
  invoke,
  marker,
  TOOL_SECRET,
  targetRequests,
  targetTool,
  toolKey,
  workerLedger,
} from "./tools-helpers";

/**
 * Issue 5's security cases for what a caller or a model controls: arguments, tool names, keys, and what a tool's
 * content says. Each refusal is checked at the tool target too: the request was never sent.
 */

describe("arguments that violate the schema are never executed", () => {
  it.each([
    ["an extra property", { city: "M", admin: true }, "arguments.admin"],
    ["a wrong type", { city: 42 }, "arguments.city"],
    ["a missing required property", {}, "arguments.city"],
    ["a string over maxLength", { city: "M".repeat(101) }, "arguments.city"],
  ] as [string, Record<string, unknown>, string][])("%s", async (_label, args, param) => {
    const { key, keyId } = await toolKey();
    const tag = marker();
    const sent = { ...args };
    if (typeof sent.city === "string") sent.city = `${sent.city}${tag}`;
    const res = await invoke("get_weather", sent, key);
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error).toMatchObject({ code: "tool_arguments_invalid", param });
    expect(await targetRequests(tag)).toEqual([]);
    const [event] = await eventsOf(workerLedger(), "t-tools", keyId, res.headers.get("x-request-id") ?? "");
    expect(event).toMatchObject({ cost: 0, tool: { decision: "refused", toolStatus: 0, bytes: 0 } });
  });

  it("arguments over max_argument_bytes", async () => {
    const { key } = await toolKey();
    const tag = marker();
    // get_weather accepts 8192 bytes; the text itself is refused before it is parsed.
    const res = await invoke("get_weather", `{"city": "${tag}", "pad": "${"x".repeat(9000)}"}`, key);
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ code: "tool_arguments_invalid", param: "arguments" });
    expect((await errorOf(await invoke("get_weather", `{"city": "${tag}"}${" ".repeat(9000)}`, key))).message).toMatch(
      /bytes/,
    );
    expect(await targetRequests(tag)).toEqual([]);
  });

  it.each([
    ["truncated", '{"city": "'],
    ["not JSON at all", "Paris"],
    ["single-quoted", "{'city': 'Paris'}"],
    ["an array", '["Paris"]'],
  ])("invalid JSON argument text: %s", async (_label, text) => {
    const { key } = await toolKey();
    const res = await invoke("get_weather", text, key);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe("tool_arguments_invalid");
  });

  it("the error for the model is the reason, with nothing executed (executor)", async () => {
    const h = await harness([
      targetTool("strict", {}, { parameters: { type: "object", properties: { q: { type: "string" } } } }),
    ]);
    const tag = marker();
    const outcome = await executeTool(h.deps, h.call("strict", `{"q": "${tag}", "x": 1}`));
    expect(outcome).toMatchObject({
      decision: "refused",
      error: { code: "tool_arguments_invalid", param: "arguments.x" },
    });
    expect(JSON.parse(outcome.content)).toEqual({
      tool: "strict",
      error: { code: "tool_arguments_invalid", message: "arguments.x is not an allowed property." },
    });
    expect(await targetRequests(tag)).toEqual([]);
  });
});

describe("names that are not allowlisted, look-alikes included, are never executed", () => {
  it.each([
    ["upper case", "Get_Weather"],
    ["trailing space", "get_weather "],
    ["leading space", " get_weather"],
    ["trailing newline", "get_weather\n"],
    ["zero-width space", "get\u200b_weather"],
    ["zero-width joiner", "get_weather\u200d"],
    ["bidi override", "\u202eget_weather"],
    ["Cyrillic look-alike", "g\u0435t_weather"],
    ["prefix", "get_weather_v2"],
    ["suffix only", "weather"],
    ["namespaced", "functions.get_weather"],
    ["unknown tool named by injected content", "delete_all_data"],
  ])("%s", async (_label, name) => {
    const { key, keyId } = await toolKey();
    const city = marker();
    const res = await invoke(name, { city }, key);
    expect(res.status).toBe(403);
    expect((await errorOf(res)).code).toBe("tool_not_allowed");
    expect(await targetRequests(city)).toEqual([]);
    // The refusal is audited, with the hidden characters of the name made visible.
    const [event] = await eventsOf(workerLedger(), "t-tools", keyId, res.headers.get("x-request-id") ?? "");
    expect(event).toMatchObject({ status: 403, cost: 0, tool: { decision: "refused", reason: "tool_not_allowed" } });
    expect(event?.tool?.name).toMatch(/^[\x20-\x7e]*$/);
  });

  it("a tool of another tenant is not allowlisted (tenant t-main has no tools)", async () => {
    const city = marker();
    const res = await invoke("get_weather", { city }, TEST_KEYS.main.key);
    expect(res.status).toBe(403);
    expect((await errorOf(res)).code).toBe("tool_not_allowed");
    expect(await targetRequests(city)).toEqual([]);
  });

  it("an encoded slash or dot in the path name is no way around the exact match", async () => {
    const { key } = await toolKey();
    for (const path of [
      "/v1/tools/get_weather%2F/invoke",
      "/v1/tools/.%2Fget_weather/invoke",
      "/v1/tools/get%5Fweather%20/invoke",
    ]) {
      const res = await gw(path, { method: "POST", key, body: JSON.stringify({ arguments: { city: "x" } }) });
      expect([403, 404], path).toContain(res.status);
    }
  });
});

describe("key tags", () => {
  it("a key without the tool's tag is refused", async () => {
    const { key } = await toolKey({ tags: ["other"] });
    const tag = marker();
    const res = await invoke("tagged_only", { confirm: true }, key, { "x-tag": tag });
    expect(res.status).toBe(403);
    expect(await errorOf(res)).toMatchObject({ code: "tool_not_allowed" });
    expect((await errorOf(await invoke("tagged_only", {}, key))).message).toMatch(/tools-admin/);
  });

  it("a key carrying the tag may use it", async () => {
    const { key } = await toolKey({ tags: ["tools-admin"] });
    const res = await invoke("tagged_only", { confirm: true }, key);
    expect(res.status).toBe(200);
  });
});

describe("content fetched by a tool that tells the model to call other tools changes nothing", () => {
  it("the injected text comes back only as untrusted data, inside an envelope it cannot break", async () => {
    const h = await harness([
      targetTool("fetch_page", { url: "${TOOL_TARGET_URL}/inject", result: { format: "text", max_chars: 5000 } }),
    ]);
    const outcome = await executeTool(h.deps, h.call("fetch_page", {}));
    expect(outcome.decision).toBe("executed");
    const envelope = JSON.parse(outcome.content) as Record<string, unknown>;
    expect(Object.keys(envelope)).toEqual(["tool", "status", "untrusted_data", "truncated", "notice"]);
    expect(envelope).toMatchObject({
      tool: "fetch_page",
      status: 200,
      untrusted_data: INJECTION_TEXT,
      truncated: false,
    });
  });

  it("the tools it names stay refused, for the same caller, right after", async () => {
    const { key } = await toolKey();
    // redirect_probe follows the target's own redirect to /inject: the caller receives the injected instructions.
    const page = await invoke("redirect_probe", { to: "/inject" }, key);
    expect(page.status).toBe(200);
    expect(((await page.json()) as { result: string }).result).toBe(INJECTION_TEXT);
    for (const [name, args] of [
      ["delete_all_data", { confirm: true }],
      ["tagged_only", { confirm: true }],
    ] as const) {
      const res = await invoke(name, args, key);
      expect(res.status, name).toBe(403);
    }
  });

  it("a JSON result that names a next action is data: the executor reads nothing back from it", async () => {
    const h = await harness(
      [targetTool("fetch_json", { url: "${TOOL_TARGET_URL}/inject?format=json" }), targetTool("other_tool")],
      { tenant: { tools: ["fetch_json"] } },
    );
    const first = await executeTool(h.deps, h.call("fetch_json", {}));
    expect(first).toMatchObject({ decision: "executed", result: { next_action: { call: "delete_all_data" } } });
    // `other_tool` exists in the policy but is not this tenant's: still refused after the injected content.
    const second = await executeTool(h.deps, h.call("other_tool", {}));
    expect(second).toMatchObject({ decision: "refused", error: { code: "tool_not_allowed" } });
  });
});

describe("secrets never reach a caller or a model", () => {
  it("a tool that echoes its request gets the secret redacted from the result", async () => {
    const h = await harness([
      targetTool("echo_secret", {
        url: "${TOOL_TARGET_URL}/echo/{tag}",
        headers: { authorization: "Bearer ${TOOL_API_SECRET}" },
      }),
    ]);
    const tag = marker();
    const outcome = await executeTool(h.deps, h.call("echo_secret", { tag }));
    if (outcome.decision !== "executed") throw new Error(`not executed: ${outcome.content}`);
    // The target did get the credential...
    const [received] = await targetRequests(tag);
    expect(received?.headers.authorization).toBe(`Bearer ${TOOL_SECRET}`);
    // ...but neither the model's text nor the result carries it.
    expectNoSecret(outcome.content, outcome.result);
    expect(outcome.content).toContain("[redacted]");
  });

  it("a tool that echoes the secret encoded (base64, Basic auth, hex, URL, JSON, upper case) gets every copy scrubbed", async () => {
    const h = await harness([
      targetTool("echo_encoded", {
        url: "${TOOL_TARGET_URL}/encoded/{tag}",
        headers: { "x-tool-key": "${TOOL_API_SECRET}" },
      }),
    ]);
    const tag = marker();
    const outcome = await executeTool(h.deps, h.call("echo_encoded", { tag }));
    if (outcome.decision !== "executed") throw new Error(`not executed: ${outcome.content}`);
    const b64 = (text: string) => btoa(text);
    const hex = [...new TextEncoder().encode(TOOL_SECRET)].map((b) => b.toString(16).padStart(2, "0")).join("");
    for (const text of [outcome.content, JSON.stringify(outcome.result)]) {
      const lower = text.toLowerCase();
      expect(lower).not.toContain(TOOL_SECRET.toLowerCase());
      expect(text).not.toContain(b64(TOOL_SECRET).replace(/=+$/, ""));
      expect(text).not.toContain(b64(`user:${TOOL_SECRET}`).slice(8, 28));
      expect(lower).not.toContain(hex);
    }
    expect(outcome.result).toMatchObject({
      upper: "[redacted]",
      base64: "[redacted]",
      hex: "[redacted]",
      url: "k%3D[redacted]%26x",
    });
  });

  it("a header secret too short to scrub makes the tool misconfigured (nothing is sent)", async () => {
    const h = await harness(
      [targetTool("short_secret", { url: "${TOOL_TARGET_URL}/echo/{tag}", headers: { "x-tool-key": "${SHORT}" } })],
      { vars: { SHORT: "abc12" } },
    );
    const tag = marker();
    const outcome = await executeTool(h.deps, h.call("short_secret", { tag }));
    expect(outcome).toMatchObject({ decision: "refused", error: { code: "tool_misconfigured" } });
    expect(await targetRequests(tag)).toEqual([]);
  });

  it("errors and audit events never carry the secret or the raw arguments", async () => {
    const { key, keyId } = await toolKey();
    const city = marker("secret-city");
    const res = await invoke("get_weather", { city, extra: 1 }, key);
    const text = await res.text();
    expect(res.status).toBe(400);
    expectNoSecret(text, [...res.headers]);
    const events = await eventsOf(workerLedger(), "t-tools", keyId, res.headers.get("x-request-id") ?? "");
    expect(events).toHaveLength(1);
    expectNoSecret(events);
    expect(JSON.stringify(events)).not.toContain(city);
  });
});
