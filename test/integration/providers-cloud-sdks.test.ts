import { exports } from "cloudflare:workers";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { TEST_KEYS } from "../helpers/keys";

/**
 * The official `openai` and `@anthropic-ai/sdk` clients, unchanged but for their fetch (which calls the Worker under
 * test in-process), through the gateway to each cloud provider's fake upstream.
 */

const fetchWorker = (input: string | URL | Request, init?: RequestInit) =>
  exports.default.fetch(new Request(input, init));

const openai = new OpenAI({
  baseURL: "http://gateway.test/v1",
  apiKey: TEST_KEYS.main.key,
  fetch: fetchWorker as typeof fetch,
  maxRetries: 0,
});
const anthropic = new Anthropic({
  baseURL: "http://gateway.test",
  apiKey: TEST_KEYS.main.key,
  fetch: fetchWorker as typeof fetch,
  maxRetries: 0,
});

const MODELS = ["m-bedrock", "m-vertex-gemini", "m-vertex-claude", "m-azure", "m-azure-v1"];

describe.each(MODELS)("official SDKs through the gateway to %s", (model) => {
  it("openai: chat.completions.create, JSON and streamed", async () => {
    const res = await openai.chat.completions.create({ model, messages: [{ role: "user", content: "hello sdk" }] });
    expect(res.choices[0]?.message.content).toContain("echo: hello sdk");
    const stream = await openai.chat.completions.create({
      model,
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "stream sdk" }],
    });
    let text = "";
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      usage = chunk.usage ?? usage;
    }
    expect(text).toContain("echo: stream sdk");
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("anthropic: messages.create and messages.stream", async () => {
    const msg = await anthropic.messages.create({
      model,
      max_tokens: 64,
      messages: [{ role: "user", content: "hello anthropic sdk" }],
    });
    const block = msg.content[0];
    expect(block?.type === "text" ? block.text : "").toContain("echo: hello anthropic sdk");
    const stream = anthropic.messages.stream({
      model,
      max_tokens: 64,
      messages: [{ role: "user", content: "stream anthropic sdk" }],
    });
    const final = await stream.finalMessage();
    const last = final.content[0];
    expect(last?.type === "text" ? last.text : "").toContain("echo: stream anthropic sdk");
    expect(final.usage.output_tokens).toBeGreaterThan(0);
  });
});

describe("official SDKs see cloud-provider refusals in their own error types", () => {
  it("openai: Azure's content-filter refusal is a 400 BadRequestError with code content_filtered", async () => {
    const err = await openai.chat.completions
      .create({ model: "m-azure-prompt-filtered", messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).code).toBe("content_filtered");
  });
});
