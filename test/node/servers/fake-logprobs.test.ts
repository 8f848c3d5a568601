import type OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeUpstream, startFakeUpstream } from "../../servers/fake-upstream";
import { openAiClient, postJson, userChat } from "./helpers";

let fake: FakeUpstream;
let client: OpenAI;

beforeAll(async () => {
  fake = await startFakeUpstream();
  client = openAiClient(`${fake.url}/v1`);
});
afterAll(() => fake.close());

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64url");

describe("fake upstream: logprobs and fixed text (OpenAI wire format, through the official SDK)", () => {
  it("returns one logprob per token when asked, at the steered probability, the last one lower", async () => {
    const res = await client.chat.completions.create({
      ...userChat("hello", "fake-small;token_prob=0.5;min_token_prob=0.01;tokens=4"),
      logprobs: true,
    });
    const content = res.choices[0]?.logprobs?.content ?? [];
    expect(content.map((t) => t.token).join("")).toBe(res.choices[0]?.message.content);
    expect(content.map((t) => t.logprob)).toEqual([Math.log(0.5), Math.log(0.5), Math.log(0.5), Math.log(0.01)]);
    expect(content[1]?.bytes).toEqual([...Buffer.from(content[1]?.token ?? "", "utf8")]);
    expect(content[0]?.top_logprobs).toEqual([]);
  });

  it("sends no logprobs unless asked", async () => {
    const res = await client.chat.completions.create(userChat("hello", "fake-small;token_prob=0.5"));
    expect(res.choices[0]?.logprobs).toBeNull();
  });

  it("streams logprobs on every content chunk", async () => {
    const stream = await client.chat.completions.create({
      ...userChat("hello", "fake-small;tokens=3"),
      logprobs: true,
      stream: true,
    });
    const seen: number[] = [];
    for await (const chunk of stream) for (const t of chunk.choices[0]?.logprobs?.content ?? []) seen.push(t.logprob);
    expect(seen).toEqual([Math.log(0.9), Math.log(0.9), Math.log(0.9)]);
  });

  it("answers exactly the text directive (for JSON and refusal cases)", async () => {
    const res = await client.chat.completions.create(userChat("x", `fake-small;text=${b64('{"answer": 42}')}`));
    expect(JSON.parse(res.choices[0]?.message.content ?? "")).toEqual({ answer: 42 });
    expect(res.usage?.completion_tokens).toBe(2);
  });

  it("refuses a bad probability", async () => {
    const res = await postJson(`${fake.url}/v1/chat/completions`, userChat("x", "fake-small;token_prob=1.5"));
    expect(res.status).toBe(400);
  });
});
