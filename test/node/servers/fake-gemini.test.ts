import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cosine } from "../../../local/embeddings";
import { type FakeUpstream, startFakeUpstream } from "../../servers/fake-upstream";
import { collectSse, jsonData, postJson } from "./helpers";

let fake: FakeUpstream;
beforeAll(async () => {
  fake = await startFakeUpstream();
});
afterAll(() => fake.close());

const url = (model: string, action: string) => `${fake.url}/gemini/v1beta/models/${model}:${action}`;
const KEY = { "x-goog-api-key": "g-test-key" };

interface GeminiResponse {
  candidates: { content: { role: string; parts: Record<string, unknown>[] }; finishReason?: string }[];
  usageMetadata?: { promptTokenCount: number; candidatesTokenCount?: number; totalTokenCount: number };
  modelVersion: string;
}

function partsText(r: GeminiResponse): string {
  return r.candidates.flatMap((c) => c.content.parts.map((p) => (typeof p.text === "string" ? p.text : ""))).join("");
}

const body = (text: string, extra: Record<string, unknown> = {}) => ({
  contents: [{ role: "user", parts: [{ text }] }],
  ...extra,
});

describe("fake upstream, Gemini wire format, raw fetch", () => {
  it("answers generateContent with candidates, finishReason and usageMetadata", async () => {
    const res = await postJson(url("gemini-fake", "generateContent"), body("tell me a story"), KEY);
    expect(res.status).toBe(200);
    const json = (await res.json()) as GeminiResponse;
    expect(partsText(json)).toBe("echo: tell me a story lorem ipsum dolor");
    expect(json.candidates[0]?.finishReason).toBe("STOP");
    expect(json.candidates[0]?.content.role).toBe("model");
    expect(json.usageMetadata).toEqual({ promptTokenCount: 4, candidatesTokenCount: 8, totalTokenCount: 12 });
    expect(json.modelVersion).toBe("gemini-fake");
  });

  it("caps at generationConfig.maxOutputTokens with MAX_TOKENS", async () => {
    const res = await postJson(
      url("gemini-fake", "generateContent"),
      body("a b c", { generationConfig: { maxOutputTokens: 2 } }),
    );
    const json = (await res.json()) as GeminiResponse;
    expect(partsText(json)).toBe("echo: a");
    expect(json.candidates[0]?.finishReason).toBe("MAX_TOKENS");
  });

  it("streams SSE chunks without a terminator; the last carries finishReason and full usage", async () => {
    const res = await postJson(`${url("gemini-fake", "streamGenerateContent")}?alt=sse`, body("stream it"));
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const { events, error } = await collectSse(res);
    expect(error).toBeUndefined();
    const chunks = jsonData(events) as GeminiResponse[];
    expect(chunks.map(partsText).join("")).toBe("echo: stream it lorem ipsum dolor sit amet");
    const last = chunks[chunks.length - 1];
    expect(last?.candidates[0]?.finishReason).toBe("STOP");
    expect(last?.usageMetadata).toEqual({ promptTokenCount: 2, candidatesTokenCount: 8, totalTokenCount: 10 });
    expect(chunks.slice(0, -1).every((c) => c.candidates[0]?.finishReason === undefined)).toBe(true);
  });

  it("without alt=sse, streamGenerateContent answers one JSON array of the same chunks", async () => {
    const res = await postJson(url("gemini-fake", "streamGenerateContent"), body("stream it"));
    const chunks = (await res.json()) as GeminiResponse[];
    expect(chunks.map(partsText).join("")).toBe("echo: stream it lorem ipsum dolor sit amet");
  });

  it("answers a functionCall part to the first declared function", async () => {
    const tools = [{ functionDeclarations: [{ name: "lookup" }, { name: "other" }] }];
    const res = await postJson(url("gemini-fake", "generateContent"), body("find pandas", { tools }));
    const json = (await res.json()) as GeminiResponse;
    expect(json.candidates[0]?.content.parts[0]).toEqual({
      functionCall: { name: "lookup", args: { query: "find pandas" } },
    });
    expect(json.candidates[0]?.finishReason).toBe("STOP");

    const sse = await postJson(
      `${url("gemini-fake", "streamGenerateContent")}?alt=sse`,
      body("find pandas", { tools }),
    );
    const chunks = jsonData((await collectSse(sse)).events) as GeminiResponse[];
    expect(chunks[0]?.candidates[0]?.content.parts[0]).toMatchObject({ functionCall: { name: "lookup" } });
  });

  it("acknowledges a functionResponse", async () => {
    const res = await postJson(url("gemini-fake", "generateContent"), {
      contents: [
        { role: "user", parts: [{ text: "find pandas" }] },
        { role: "model", parts: [{ functionCall: { name: "lookup", args: { query: "find pandas" } } }] },
        { role: "user", parts: [{ functionResponse: { name: "lookup", response: { found: 3 } } }] },
      ],
      tools: [{ functionDeclarations: [{ name: "lookup" }] }],
    });
    const json = (await res.json()) as GeminiResponse;
    expect(partsText(json)).toBe('tool result received: {"found":3}');
  });

  it("embeds a batch with batchEmbedContents", async () => {
    const texts = ["the quick brown fox", "the quick brown foxes", "interest rates rose"];
    const res = await postJson(url("embed-fake", "batchEmbedContents"), {
      requests: texts.map((text) => ({ model: "models/embed-fake", content: { parts: [{ text }] } })),
    });
    const json = (await res.json()) as { embeddings: { values: number[] }[] };
    const [a, b, c] = json.embeddings.map((e) => e.values);
    if (!a || !b || !c) throw new Error("missing embeddings");
    expect(cosine(a, b)).toBeGreaterThan(cosine(a, c));
  });

  it("answers a bad body with a Gemini-shaped error", async () => {
    const res = await postJson(url("gemini-fake", "generateContent"), { contents: [] });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 400, status: "INVALID_ARGUMENT" } });
  });
});
