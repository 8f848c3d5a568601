import { describe, expect, it } from "vitest";
import { gw } from "../helpers/gateway";
import {
  errorOf,
  eventsOf,
  expectNoSecret,
  invoke,
  marker,
  sha256,
  TARGET_HOST,
  TOOL_SECRET,
  targetRequests,
  toolKey,
  workerLedger,
} from "./tools-helpers";

interface ToolResult {
  object: string;
  tool: string;
  status: number;
  result: unknown;
  truncated: boolean;
  cost: number;
  bytes: number;
  latency_ms: number;
}

describe("POST /v1/tools/{name}/invoke: happy paths", () => {
  it("get_weather: fills the path slot, sends the policy's secret header, returns the configured fields", async () => {
    const { key } = await toolKey();
    const city = `Paris ${marker()}`;
    const res = await invoke("get_weather", { city }, key);
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect(res.headers.get("x-gateway-tool")).toBe("get_weather");
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
    const body = JSON.parse(text) as ToolResult;
    expect(body).toMatchObject({ object: "tool.result", tool: "get_weather", status: 200, truncated: false });
    expect(body.result).toEqual({
      "location.name": city,
      "current.temp_c": 21.5,
      "current.condition.text": "Sunny",
    });
    expect(body.bytes).toBeGreaterThan(0);

    const received = await targetRequests(encodeURIComponent(city));
    expect(received).toHaveLength(1);
    expect(received[0]?.path).toBe(`/weather/${encodeURIComponent(city)}`);
    expect(received[0]?.headers["x-tool-key"]).toBe(TOOL_SECRET);
    expect(received[0]?.headers.host).toBe(TARGET_HOST);
    // The caller's own credential never travels to a tool.
    expect(JSON.stringify(received[0]?.headers)).not.toContain(key);
    expectNoSecret(text, [...res.headers]);
  });

  it("accepts the arguments as a JSON string, as chat models produce them", async () => {
    const { key } = await toolKey();
    const city = marker("Lyon");
    const res = await invoke("get_weather", JSON.stringify({ city }), key);
    expect(res.status).toBe(200);
    expect(((await res.json()) as ToolResult).result).toMatchObject({ "location.name": city });
  });

  it("echo_post: arguments go out as the JSON body of a POST", async () => {
    const { key } = await toolKey();
    const message = marker("hello");
    const res = await invoke("echo_post", { message, count: 2, tags: ["a", "b"] }, key);
    expect(res.status).toBe(200);
    const body = (await res.json()) as ToolResult & {
      result: { method: string; body: string; headers: Record<string, string> };
    };
    expect(body.result.method).toBe("POST");
    expect(JSON.parse(body.result.body)).toEqual({ message, count: 2, tags: ["a", "b"] });
    expect(body.result.headers["content-type"]).toBe("application/json");
  });

  it("redirect_probe: follows redirects within the allowlist (relative and absolute, up to max_redirects)", async () => {
    const { key } = await toolKey();
    const tag = marker();
    const res = await invoke("redirect_probe", { to: `/chain/1?tag=${tag}` }, key);
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect(JSON.parse((JSON.parse(text) as ToolResult).result as string)).toEqual({ done: true, query: { tag } });
    // /redirect -> /chain/1 -> /chain/0: every hop really went to the target.
    expect((await targetRequests(tag)).map((r) => r.path)).toEqual(["/redirect", "/chain/1", "/chain/0"]);
  });

  it("a tool that answers an error status is still executed: the status is reported, not hidden", async () => {
    const { key } = await toolKey();
    const res = await invoke("get_weather", { city: "nowhere" }, key);
    expect(res.status).toBe(200);
    const body = (await res.json()) as ToolResult;
    expect(body.status).toBe(404);
  });

  it("charges price_per_call through the ledger and reports it", async () => {
    const { key, keyId } = await toolKey({ credits: 10_000 });
    const res = await invoke("get_weather", { city: marker() }, key);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-gateway-cost")).toBe("1000");
    expect(((await res.json()) as ToolResult).cost).toBe(1000);
    const ledger = workerLedger();
    const events = await eventsOf(ledger, "t-tools", keyId, res.headers.get("x-request-id") ?? "");
    expect(events[0]?.cost).toBe(1000);
    expect((await ledger.balance(keyId, "t-tools")).balance).toBe(9000);
  });

  it("writes an audit event that shows in /v1/usage: tool, argument hash, decision, status, bytes, latency", async () => {
    const { key, keyId } = await toolKey();
    const args = { city: marker("Oslo") };
    const res = await invoke("get_weather", args, key, { "x-gateway-task-id": `task-${marker()}` });
    expect(res.status).toBe(200);
    const body = (await res.json()) as ToolResult;
    const requestId = res.headers.get("x-request-id") ?? "";
    const [event] = await eventsOf(workerLedger(), "t-tools", keyId, requestId);
    expect(event).toMatchObject({
      tenantId: "t-tools",
      keyId,
      status: 200,
      cost: 1000,
      flags: ["tool"],
      tool: {
        name: "get_weather",
        decision: "executed",
        argsSha256: await sha256(JSON.stringify(args)),
        toolStatus: 200,
        bytes: body.bytes,
        origin: "invoke",
      },
    });
    expect(event?.taskId).toMatch(/^task-/);
    expect(event?.latencyMs).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(event)).not.toContain(args.city);

    const usage = (await (await gw("/v1/usage?limit=10", { key })).json()) as {
      data: { request_id: string; flags: string[]; cost: number }[];
    };
    expect(usage.data.find((e) => e.request_id === requestId)).toMatchObject({ flags: ["tool"], cost: 1000 });
  });
});

describe("POST /v1/tools/{name}/invoke: request errors", () => {
  it("answers 405 with Allow for other methods", async () => {
    const { key } = await toolKey();
    const res = await gw("/v1/tools/get_weather/invoke", { key });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
  });

  it("requires authentication", async () => {
    const res = await invoke("get_weather", { city: "x" }, "sk-not-a-key");
    expect(res.status).toBe(401);
  });

  it.each([
    ["a body that is not JSON", "{nope", "invalid_json"],
    ["a body that is not an object", "[1]", "invalid_request"],
    ["no arguments field", "{}", "invalid_request"],
    ["an unknown field", '{"arguments": {}, "tool": "x"}', "invalid_request"],
  ])("refuses %s (and records the refusal)", async (_label, body, code) => {
    const { key, keyId } = await toolKey();
    const res = await gw("/v1/tools/get_weather/invoke", { method: "POST", key, body });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe(code);
    const events = await eventsOf(workerLedger(), "t-tools", keyId, res.headers.get("x-request-id") ?? "");
    expect(events[0]?.flags).toContain(`refused:${code}`);
  });

  it("refuses an invalid task id header", async () => {
    const { key } = await toolKey();
    const res = await invoke("get_weather", { city: "x" }, key, { "x-gateway-task-id": "bad id!" });
    expect(res.status).toBe(400);
  });

  it("refuses an unfunded account before calling the tool", async () => {
    const { key } = await toolKey({ credits: 0 });
    const city = marker();
    const res = await invoke("get_weather", { city }, key);
    expect(res.status).toBe(402);
    expect((await errorOf(res)).code).toBe("insufficient_credits");
    expect(await targetRequests(city)).toEqual([]);
  });
});
