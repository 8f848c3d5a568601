import { describe, expect, it } from "vitest";
import {
  everythingReceived,
  exportsReceived,
  metricPoints,
  nonce,
  send,
  spansWhere,
  tracedEnv,
  traceOf,
  UNTRACED_ENV,
} from "./helpers";

const chat = (model: string, text: string) => ({ model, messages: [{ role: "user", content: text }] });

describe("OpenTelemetry export to a real OTLP/HTTP receiver", () => {
  it("exports the request's root span with the GenAI attributes, over OTLP/HTTP JSON with the configured headers", async () => {
    const sent = await send(tracedEnv(), "/v1/chat/completions", chat("m-openai", nonce()));
    expect(sent.res.status).toBe(200);
    const spans = await traceOf(sent.requestId);
    const root = spans.find((s) => s.parentSpanId === undefined);
    expect(root).toBeDefined();
    expect(root?.kind).toBe(2);
    expect(root?.status.code).toBe(0);
    expect(root?.resource["service.name"]).toBe("gateway-under-test");
    expect(root?.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "openai",
      "gen_ai.response.model": "fake-small",
      "gateway.route": "auto",
      "gateway.model": "m-openai",
      "gateway.provider": "fake-openai",
      "gateway.tenant": "t-main",
      "http.response.status_code": 200,
      "gateway.attempts": 1,
    });
    const traces = (await exportsReceived()).filter((e) => e.path === "/v1/traces");
    expect(traces.every((e) => e.status === 200)).toBe(true);
    expect(traces.at(-1)?.headers.authorization).toBe("Bearer otel-secret");
    expect(traces.at(-1)?.headers["x-team"]).toBe("gateway");
  });

  it("honours an incoming traceparent: same trace, the caller's span as parent", async () => {
    const traceId = crypto.randomUUID().replaceAll("-", "");
    const parent = "00f067aa0ba902b7";
    const sent = await send(tracedEnv(), "/v1/chat/completions", chat("m-openai", nonce()), {
      traceparent: `00-${traceId}-${parent}-01`,
    });
    const spans = await traceOf(sent.requestId);
    const root = spans.find((s) => s.attributes["gateway.request_id"] === sent.requestId);
    expect(root?.traceId).toBe(traceId);
    expect(root?.parentSpanId).toBe(parent);
  });

  it("starts a new trace when the incoming traceparent is malformed", async () => {
    const sent = await send(tracedEnv(), "/v1/chat/completions", chat("m-openai", nonce()), {
      traceparent: `00-${"0".repeat(32)}-00f067aa0ba902b7-01`,
    });
    const [root] = await spansWhere("gateway.request_id", sent.requestId);
    expect(root?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(root?.traceId).not.toBe("0".repeat(32));
    expect(root?.parentSpanId).toBeUndefined();
  });

  it("marks a failed request's root span with the gateway's error code", async () => {
    const sent = await send(tracedEnv(), "/v1/chat/completions", chat("m-all-down", nonce()));
    expect(sent.res.status).toBeGreaterThanOrEqual(500);
    const [root] = await spansWhere("gateway.request_id", sent.requestId);
    const code = (JSON.parse(sent.text) as { error: { code: string } }).error.code;
    expect(root?.status.code).toBe(2);
    expect(root?.attributes["error.type"]).toBe(code);
    expect(root?.attributes["gateway.error_code"]).toBe(code);
  });

  it("records the duration histogram the GenAI conventions name, with their bucket boundaries", async () => {
    await send(tracedEnv(), "/v1/chat/completions", chat("m-openai", nonce()));
    const points = (await metricPoints()).filter(
      (p) => p.metric === "gen_ai.client.operation.duration" && p.attributes["gen_ai.provider.name"] === "openai",
    );
    expect(points.length).toBeGreaterThan(0);
    expect(points[0]?.unit).toBe("s");
    expect(points[0]?.explicitBounds).toEqual([
      0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
    ]);
    expect(points[0]?.attributes["gen_ai.operation.name"]).toBe("chat");
  });

  it("never exports the prompt or the answer by default", async () => {
    const secret = nonce();
    const sent = await send(tracedEnv(), "/v1/chat/completions", chat("m-openai", `my secret is ${secret}`));
    expect(sent.text).toContain(secret); // the fake upstream echoes the prompt, so the answer carries it too
    expect((await traceOf(sent.requestId)).length).toBeGreaterThan(0);
    expect(await everythingReceived()).not.toContain(secret);
  });

  it("exports nothing when no endpoint is configured", async () => {
    const sent = await send(UNTRACED_ENV, "/v1/chat/completions", chat("m-openai", nonce()));
    expect(sent.res.status).toBe(200);
    expect(await spansWhere("gateway.request_id", sent.requestId)).toEqual([]);
  });
});

describe("sampling", () => {
  const traceparent = (flags: string) => `00-${crypto.randomUUID().replaceAll("-", "")}-00f067aa0ba902b7-${flags}`;

  it.each([
    { sampler: "parentbased_always_on", flags: "01", exported: true },
    { sampler: "parentbased_always_on", flags: "00", exported: false },
    { sampler: "always_on", flags: "00", exported: true },
    { sampler: "always_off", flags: "01", exported: false },
    { sampler: "traceidratio", arg: "0", flags: "01", exported: false },
    { sampler: "traceidratio", arg: "1", flags: "00", exported: true },
    { sampler: "parentbased_traceidratio", arg: "0", flags: "01", exported: true },
  ])(
    "$sampler (arg $arg) with a caller's flags $flags: exported=$exported",
    async ({ sampler, arg, flags, exported }) => {
      const vars: Record<string, string> = { OTEL_TRACES_SAMPLER: sampler };
      if (arg !== undefined) vars.OTEL_TRACES_SAMPLER_ARG = arg;
      const sent = await send(tracedEnv(vars), "/v1/chat/completions", chat("m-openai", nonce()), {
        traceparent: traceparent(flags),
      });
      expect(sent.res.status).toBe(200);
      expect((await spansWhere("gateway.request_id", sent.requestId)).length).toBe(exported ? 1 : 0);
    },
  );

  it("a trace-id ratio of 0.5 keeps about half of new traces, and metrics still count every request", async () => {
    const env = tracedEnv({
      OTEL_TRACES_SAMPLER: "traceidratio",
      OTEL_TRACES_SAMPLER_ARG: "0.5",
      OTEL_SERVICE_NAME: "ratio",
    });
    const before = (await metricPoints()).filter((p) => p.metric === "gen_ai.client.operation.duration");
    const ids: string[] = [];
    for (let i = 0; i < 40; i++)
      ids.push((await send(env, "/v1/chat/completions", chat("m-gemini", nonce()))).requestId);
    let kept = 0;
    for (const id of ids) kept += (await spansWhere("gateway.request_id", id)).length;
    expect(kept).toBeGreaterThan(5);
    expect(kept).toBeLessThan(35);
    const after = (await metricPoints()).filter((p) => p.metric === "gen_ai.client.operation.duration");
    const count = (list: typeof after) =>
      list.filter((p) => p.attributes["gen_ai.provider.name"] === "gcp.gemini").reduce((a, p) => a + p.count, 0);
    expect(count(after) - count(before)).toBe(40);
  });
});
