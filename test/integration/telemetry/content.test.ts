import { beforeAll, describe, expect, it } from "vitest";
import { type Account, makeBackend, newAccount } from "../../helpers/billing";
import { TEST_KEYS } from "../../helpers/keys";
import type { ReceivedSpan } from "../../servers/otlp-receiver/server";
import { everythingReceived, metricPoints, nonce, send, tracedEnv, traceOf } from "./helpers";

/**
 * What the root span says about the conversation, read back from the real OTLP receiver: finish reasons for JSON and
 * streamed answers alike, and prompt / answer text only for a tenant whose policy opts in
 * (test/fixtures/policies/telemetry.yaml: t-otel-content, capture_content with max_content_chars 64).
 */

const chat = (model: string, text: string, extra: Record<string, unknown> = {}) => ({
  model,
  messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content: text },
  ],
  ...extra,
});

async function rootOf(requestId: string): Promise<ReceivedSpan | undefined> {
  return (await traceOf(requestId)).find((s) => s.attributes["gateway.request_id"] === requestId);
}

interface Message {
  role: string;
  parts: { type: string; content?: string }[];
  finish_reason?: string;
}

function messagesOf(span: ReceivedSpan | undefined, attr: string): Message[] {
  const value = span?.attributes[attr];
  if (typeof value !== "string") throw new Error(`${attr} missing: ${JSON.stringify(span?.attributes)}`);
  return JSON.parse(value) as Message[];
}

let opted: Account;

beforeAll(async () => {
  opted = await newAccount(await makeBackend("durable-object"), 50_000_000, "t-otel-content");
});

describe("finish reasons on the root span", () => {
  it.each([
    ["/v1/chat/completions", false],
    ["/v1/chat/completions", true],
    ["/v1/messages", true],
  ])("%s (stream %s) carries gen_ai.response.finish_reasons", async (path, stream) => {
    const messages = [{ role: "user", content: nonce() }]; // valid in both formats (Anthropic has no system role)
    const body = { model: "m-openai", messages, max_tokens: 64, ...(stream ? { stream: true } : {}) };
    const sent = await send(tracedEnv(), path, body);
    expect(sent.res.status, sent.text).toBe(200);
    if (stream) expect(sent.text).toContain("data:");
    const root = await rootOf(sent.requestId);
    expect(root?.attributes["gen_ai.response.finish_reasons"]).toEqual(["stop"]);
  });
});

describe("prompt and answer text in traces", () => {
  it("stays out by default, streamed answers included", async () => {
    const secret = nonce();
    const sent = await send(
      tracedEnv(),
      "/v1/chat/completions",
      chat("m-openai", `my secret is ${secret}`, { stream: true }),
    );
    expect(sent.text).toContain(secret); // the fake upstream echoes the prompt
    const root = await rootOf(sent.requestId);
    expect(root).toBeDefined();
    expect(root?.attributes["gen_ai.input.messages"]).toBeUndefined();
    expect(root?.attributes["gen_ai.output.messages"]).toBeUndefined();
    expect(await everythingReceived()).not.toContain(secret);
  });

  it("is exported for a tenant whose policy opts in (JSON), in the GenAI conventions' message shape", async () => {
    const secret = nonce();
    const sent = await send(
      tracedEnv(),
      "/v1/chat/completions",
      chat("m-openai", `my secret is ${secret}`),
      {},
      opted.key,
    );
    expect(sent.res.status).toBe(200);
    const root = await rootOf(sent.requestId);
    expect(messagesOf(root, "gen_ai.input.messages")).toEqual([
      { role: "system", parts: [{ type: "text", content: "Be brief." }] },
      { role: "user", parts: [{ type: "text", content: `my secret is ${secret}` }] },
    ]);
    const [answer] = messagesOf(root, "gen_ai.output.messages");
    expect(answer?.role).toBe("assistant");
    expect(answer?.finish_reason).toBe("stop");
    expect(answer?.parts[0]?.content).toContain(secret);
    // Text never reaches the metrics, opted in or not.
    const points = JSON.stringify(await metricPoints());
    expect(points).not.toContain(secret);
  });

  it("is exported for a streamed answer too, each text cut at max_content_chars", async () => {
    const secret = nonce();
    const long = `${secret} ${"x".repeat(200)}`;
    const sent = await send(
      tracedEnv(),
      "/v1/chat/completions",
      chat("m-openai", long, { stream: true }),
      {},
      opted.key,
    );
    expect(sent.res.status).toBe(200);
    const root = await rootOf(sent.requestId);
    const user = messagesOf(root, "gen_ai.input.messages")[1]?.parts[0]?.content ?? "";
    expect(user.startsWith(long.slice(0, 64))).toBe(true);
    expect(user).toMatch(/…\[\d+ more chars\]$/);
    const [answer] = messagesOf(root, "gen_ai.output.messages");
    expect(answer?.finish_reason).toBe("stop");
    expect(answer?.parts[0]?.type).toBe("text");
    expect((answer?.parts[0]?.content ?? "").length).toBeGreaterThan(0);
    expect(root?.attributes["gen_ai.response.finish_reasons"]).toEqual(["stop"]);
  });

  it("the opt-in is the tenant's: the static test key's tenant still exports none", async () => {
    const secret = nonce();
    const body = { model: "m-openai", max_tokens: 64, messages: [{ role: "user", content: `secret ${secret}` }] };
    const sent = await send(tracedEnv(), "/v1/messages", body, {}, TEST_KEYS.main.key);
    expect(sent.res.status).toBe(200);
    expect(sent.text).toContain(secret);
    const root = await rootOf(sent.requestId);
    expect(root).toBeDefined();
    expect(JSON.stringify(root)).not.toContain(secret);
  });
});
