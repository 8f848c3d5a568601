import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { generateApiKey } from "../../../src/auth/api-key";
import { createDurableObjectLedger } from "../../../src/ledger/durable-object";
import { upstreamRequests } from "../../helpers/gateway";
import { toolTargetRequests } from "../../helpers/tool-target";
import type { ReceivedSpan } from "../../servers/otlp-receiver/server";
import { metricPoints, nonce, send, tracedEnv, traceOf } from "./helpers";

const chat = (model: string, text: string, extra: Record<string, unknown> = {}) => ({
  model,
  messages: [{ role: "user", content: text }],
  ...extra,
});

function tree(spans: ReceivedSpan[]) {
  const root = spans.find((s) => s.parentSpanId === undefined || !spans.some((p) => p.spanId === s.parentSpanId));
  if (root === undefined) throw new Error("no root span");
  const children = spans.filter((s) => s.parentSpanId === root.spanId);
  return { root, children, named: (name: string) => children.filter((s) => s.name === name) };
}

function traceparentOf(headers: Record<string, string>): { traceId: string; parent: string; flags: string } {
  const [, traceId = "", parent = "", flags = ""] = (headers.traceparent ?? "").split("-");
  return { traceId, parent, flags };
}

describe("the span tree of a request", () => {
  it("JSON chat: authentication, cache lookup, admission, one upstream attempt and settlement under the root", async () => {
    const n = nonce();
    const sent = await send(tracedEnv(), "/v1/chat/completions", chat("m-openai", n, { max_tokens: 300 }));
    expect(sent.res.status).toBe(200);
    const usage = (JSON.parse(sent.text) as { usage: { prompt_tokens: number; completion_tokens: number } }).usage;
    const { root, children, named } = tree(await traceOf(sent.requestId));
    expect(children.every((s) => s.traceId === root.traceId)).toBe(true);
    expect(root.name).toBe("chat m-openai");
    expect(root.attributes).toMatchObject({
      "gen_ai.request.model": "m-openai",
      "gen_ai.request.max_tokens": 300,
      "gen_ai.usage.input_tokens": usage.prompt_tokens,
      "gen_ai.usage.output_tokens": usage.completion_tokens,
      "gen_ai.response.finish_reasons": ["stop"],
      "gateway.cost_micros": Number(sent.res.headers.get("x-gateway-cost")),
    });
    for (const name of ["gateway.authenticate", "gateway.cache", "gateway.admit", "gateway.settle"]) {
      expect(named(name), name).toHaveLength(1);
    }
    const [attempt] = named("chat fake-small");
    expect(attempt?.kind).toBe(3);
    expect(attempt?.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "openai",
      "gen_ai.request.model": "fake-small",
      "gateway.provider": "fake-openai",
      "server.address": "127.0.0.1",
    });
    // The upstream got the attempt's own span as its parent.
    const [upstream] = await upstreamRequests(n);
    expect(traceparentOf(upstream?.headers ?? {})).toEqual({
      traceId: root.traceId,
      parent: attempt?.spanId,
      flags: "01",
    });
    const [settle] = named("gateway.settle");
    expect(settle?.attributes["gateway.cost_micros"]).toBe(root.attributes["gateway.cost_micros"]);
  });

  it("each retry and fallback is its own CLIENT span with its error, and each upstream call carries its own parent", async () => {
    const n = nonce();
    const sent = await send(tracedEnv(), "/v1/chat/completions", chat("m-fallback", n));
    expect(sent.res.status).toBe(200);
    const { root, named } = tree(await traceOf(sent.requestId));
    const attempts = named("chat fake-small").sort(
      (a, b) => Number(a.attributes["gateway.attempt"]) - Number(b.attributes["gateway.attempt"]),
    );
    expect(attempts.map((s) => [s.attributes["gateway.provider"], s.attributes["error.type"] ?? "ok"])).toEqual([
      ["fake-down", "503"],
      ["fake-down", "503"],
      ["fake-openai", "ok"],
    ]);
    expect(root.attributes["gateway.attempts"]).toBe(3);
    const parents = (await upstreamRequests(n)).map((r) => traceparentOf(r.headers).parent);
    expect(parents).toEqual(attempts.map((s) => s.spanId));
  });

  it("a stream's root span lasts to the end of the stream and carries the stream's usage", async () => {
    const sent = await send(
      tracedEnv(),
      "/v1/chat/completions",
      chat("m-openai", nonce(), { stream: true, stream_options: { include_usage: true } }),
    );
    expect(sent.res.status).toBe(200);
    const { root, named } = tree(await traceOf(sent.requestId));
    expect(named("gateway.settle")).toHaveLength(1);
    expect(root.attributes["gen_ai.usage.output_tokens"]).toBeGreaterThan(0);
    const [settle] = named("gateway.settle");
    expect(BigInt(root.endNs)).toBeGreaterThanOrEqual(BigInt(settle?.startNs ?? "0"));
  });

  it("an unsampled caller's trace still reaches the upstream (sampled flag 0), and nothing is exported", async () => {
    const n = nonce();
    const traceId = crypto.randomUUID().replaceAll("-", "");
    await send(tracedEnv(), "/v1/chat/completions", chat("m-openai", n), {
      traceparent: `00-${traceId}-00f067aa0ba902b7-00`,
    });
    const [upstream] = await upstreamRequests(n);
    const tp = traceparentOf(upstream?.headers ?? {});
    expect(tp.traceId).toBe(traceId);
    expect(tp.flags).toBe("00");
  });

  it.each([
    { propagation: "none", upstream: false },
    { propagation: "tools", upstream: false },
    { propagation: "upstreams", upstream: true },
  ])(
    "GATEWAY_TRACE_PROPAGATION=$propagation: traceparent to upstreams: $upstream",
    async ({ propagation, upstream }) => {
      const n = nonce();
      await send(tracedEnv({ GATEWAY_TRACE_PROPAGATION: propagation }), "/v1/chat/completions", chat("m-openai", n));
      const [seen] = await upstreamRequests(n);
      expect(seen?.headers.traceparent !== undefined).toBe(upstream);
    },
  );

  it("with telemetry off no traceparent is sent", async () => {
    const n = nonce();
    await send(env as unknown as Record<string, unknown>, "/v1/chat/completions", chat("m-openai", n));
    const [seen] = await upstreamRequests(n);
    expect(seen?.headers.traceparent).toBeUndefined();
  });

  it("records billed tokens in gen_ai.client.token.usage by token type", async () => {
    const sent = await send(tracedEnv(), "/v1/chat/completions", chat("m-anthropic", nonce()));
    expect(sent.res.status).toBe(200);
    const points = (await metricPoints()).filter(
      (p) => p.metric === "gen_ai.client.token.usage" && p.attributes["gen_ai.provider.name"] === "anthropic",
    );
    expect(points.map((p) => p.attributes["gen_ai.token.type"]).sort()).toEqual(["input", "output"]);
    expect(points.every((p) => p.unit === "{token}" && p.count >= 1 && p.sum > 0)).toBe(true);
    expect(points[0]?.explicitBounds.slice(0, 3)).toEqual([1, 4, 16]);
  });
});

describe("tool calls", () => {
  let key: string;
  beforeAll(async () => {
    const { ledger, keys } = createDurableObjectLedger({ tenants: env.TENANT_LEDGER, keys: env.KEY_DIRECTORY });
    const g = await generateApiKey();
    await keys.create({
      keyId: g.keyId,
      tenantId: "t-tool-loop",
      hash: g.hash,
      prefix: g.prefix,
      createdAt: Date.now(),
    });
    await ledger.credit(g.keyId, "t-tool-loop", 50_000_000, `seed-${g.keyId}`, "topup");
    key = g.key;
  });

  it("the tool loop: a span per model turn's attempt and per tool call, and the tool target gets the tool span as parent", async () => {
    const n = nonce();
    const sent = await send(
      tracedEnv(),
      "/v1/chat/completions",
      chat("loop-weather", `weather please ${n}`, { tools: [{ type: "function", function: { name: "get_weather" } }] }),
      {},
      key,
    );
    expect(sent.res.status).toBe(200);
    const { root, named } = tree(await traceOf(sent.requestId));
    const [tool] = named("execute_tool get_weather");
    expect(tool?.attributes).toMatchObject({
      "gen_ai.operation.name": "execute_tool",
      "gen_ai.tool.name": "get_weather",
      "gateway.decision": "executed",
    });
    expect(named("gateway.settle").length).toBeGreaterThanOrEqual(2);
    const hits = await toolTargetRequests("/weather/Paris");
    const parents = hits.map((h) => traceparentOf(h.headers));
    expect(parents).toContainEqual({ traceId: root.traceId, parent: tool?.spanId, flags: "01" });
    // Turn tokens add up on the root.
    expect(Number(root.attributes["gen_ai.usage.output_tokens"])).toBeGreaterThan(0);
  });
});
