import { describe, expect, it } from "vitest";
import type { ChatRequest } from "../../../src/canonical/chat";
import type { CascadeConfig } from "../../../src/policy/types";
import { type AnswerText, failedChecks, type SchemaVerdict } from "../../../src/routing/cascade/checks";
import { collectJson, StreamCollector } from "../../../src/routing/cascade/collect";
import { type AnswerFacts, type Judgement, judgeAnswer } from "../../../src/routing/cascade/judge";
import { LogprobAccumulator, logprobStats } from "../../../src/routing/cascade/logprobs";

const POLICY: CascadeConfig = {
  enabled: true,
  escalate_below: 0.72,
  logprobs: { min_below: 0.05 },
  verifier: {},
  checks: { empty: true, refusal: true, length: true, json: true },
  min_remaining_ms: 1000,
};

const lp = (...values: number[]) => ({
  content: values.map((logprob, i) => ({ token: `t${i}`, logprob, top_logprobs: [] })),
});

describe("logprobStats", () => {
  describe.each<[string, unknown, { tokens: number; mean: number; min: number } | undefined]>([
    ["absent", null, undefined],
    ["not OpenAI's shape", { tokens: [1, 2] }, undefined],
    ["empty content", { content: [] }, undefined],
    ["three tokens", lp(-0.1, -0.2, -0.6), { tokens: 3, mean: -0.3, min: -0.6 }],
    [
      "junk entries skipped",
      { content: [{ logprob: "x" }, { logprob: 0.5 }, null, { logprob: -1 }] },
      { tokens: 1, mean: -1, min: -1 },
    ],
    ["OpenAI's -9999 floor counts", lp(0, -9999), { tokens: 2, mean: -4999.5, min: -9999 }],
  ])("%s", (_name, input, expected) => {
    it("summarises", () => {
      const got = logprobStats(input);
      if (expected === undefined) expect(got).toBeUndefined();
      else {
        expect(got?.tokens).toBe(expected.tokens);
        expect(got?.mean).toBeCloseTo(expected.mean, 9);
        expect(got?.min).toBe(expected.min);
      }
    });
  });

  it("accumulates across stream chunks", () => {
    const acc = new LogprobAccumulator();
    acc.add(lp(-0.5));
    acc.add({ content: null });
    acc.add(lp(-1.5, -1));
    expect(acc.stats()).toEqual({ tokens: 3, mean: -1, min: -1.5 });
  });
});

const stats = (meanProb: number, minProb = meanProb) => ({
  tokens: 10,
  mean: Math.log(meanProb),
  min: Math.log(minProb),
});

describe("judgeAnswer", () => {
  describe.each<[string, AnswerFacts, boolean, Partial<Judgement>]>([
    [
      "confident answer stays",
      { failed: [], logprobs: stats(0.9) },
      false,
      { escalate: false, signal: "logprob_mean" },
    ],
    [
      "low mean probability escalates",
      { failed: [], logprobs: stats(0.6) },
      false,
      { escalate: true, signal: "logprob_mean" },
    ],
    ["just at the threshold stays", { failed: [], logprobs: stats(0.72) }, false, { escalate: false }],
    [
      "one very unlikely token escalates",
      { failed: [], logprobs: stats(0.9, 0.01) },
      false,
      { escalate: true, signal: "logprob_min" },
    ],
    [
      "low verifier escalates",
      { failed: [], logprobs: stats(0.95), verifier: 0.4 },
      false,
      { escalate: true, signal: "verifier", confidence: 0.4 },
    ],
    [
      "failed check escalates whatever the scores",
      { failed: ["json"], logprobs: stats(0.99) },
      false,
      { escalate: true, signal: "json", confidence: 0 },
    ],
    ["no signal: served", { failed: [] }, false, { escalate: false }],
    [
      "overflowed stream: served unjudged",
      { failed: [], logprobs: stats(0.1), overflowed: true },
      false,
      { escalate: false },
    ],
    [
      "at the cap a low score is held back",
      { failed: [], logprobs: stats(0.5) },
      true,
      { escalate: false, heldByCap: true },
    ],
    ["at the cap a failed check still escalates", { failed: ["empty"] }, true, { escalate: true, signal: "empty" }],
  ])("%s", (_name, facts, atCap, expected) => {
    it("judges", () => {
      expect(judgeAnswer(facts, POLICY, atCap)).toMatchObject(expected);
    });
  });

  it("ignores signals the policy does not enable", () => {
    const noSignals: CascadeConfig = {
      ...POLICY,
      logprobs: undefined,
      verifier: undefined,
    } as unknown as CascadeConfig;
    delete (noSignals as { logprobs?: unknown }).logprobs;
    delete (noSignals as { verifier?: unknown }).verifier;
    expect(judgeAnswer({ failed: [], logprobs: stats(0.1), verifier: 0.1 }, noSignals).escalate).toBe(false);
    const noLength = { ...POLICY, checks: { ...POLICY.checks, length: false } };
    expect(judgeAnswer({ failed: ["length"] }, noLength).escalate).toBe(false);
  });
});

const text = (content: string, extra: Partial<AnswerText> = {}): AnswerText => ({
  content,
  toolCalls: 0,
  finishReason: "stop",
  ...extra,
});
const schemaFmt = (schema: Record<string, unknown>): Pick<ChatRequest, "response_format"> => ({
  response_format: { type: "json_schema", json_schema: { name: "s", schema } },
});
const needsAnswer = (_schema: Record<string, unknown>, value: unknown): SchemaVerdict =>
  typeof value === "object" && value !== null && "answer" in value ? "ok" : "invalid";

describe("failedChecks", () => {
  describe.each<[string, AnswerText, Pick<ChatRequest, "response_format">, string[]]>([
    ["plain answer", text("Paris."), {}, []],
    ["empty", text("  "), {}, ["empty"]],
    ["tool call with no text is not empty", text("", { toolCalls: 1, finishReason: "tool_calls" }), {}, []],
    ["refusal field", text("", { refusal: "I can't do that" }), {}, ["refusal"]],
    ["stock refusal sentence", text("I'm sorry, but I can't help with that."), {}, ["refusal"]],
    ["curly apostrophe refusal", text("I’m sorry, but I can’t do that."), {}, ["refusal"]],
    [
      "a long answer that starts politely is not a refusal",
      text(`I'm sorry, but I can't stress enough ${"x".repeat(400)}`),
      {},
      [],
    ],
    ["cut off", text("The answer is", { finishReason: "length" }), {}, ["length"]],
    ["json_object: not JSON", text("sure! {"), { response_format: { type: "json_object" } }, ["json"]],
    ["json_object: an array is not an object", text("[1]"), { response_format: { type: "json_object" } }, ["json"]],
    ["json_object: ok", text('{"a":1}'), { response_format: { type: "json_object" } }, []],
    ["json_schema: fails the schema", text('{"b":1}'), schemaFmt({ type: "object" }), ["json"]],
    ["json_schema: ok", text('{"answer":1}'), schemaFmt({ type: "object" }), []],
    ["json cut off: both", text('{"answer":', { finishReason: "length" }), schemaFmt({}), ["length", "json"]],
  ])("%s", (_name, answer, req, expected) => {
    it(`fails ${expected.join(", ") || "nothing"}`, () => {
      expect(failedChecks(answer, req, needsAnswer)).toEqual(expected);
    });
  });

  it("an unchecked schema (unknown keywords) does not fail the answer", () => {
    expect(failedChecks(text('{"b":1}'), schemaFmt({ type: "object" }), () => "unchecked")).toEqual([]);
  });
});

describe("StreamCollector and collectJson", () => {
  const chunk = (
    delta: Record<string, unknown>,
    finish: string | null = null,
    logprobs: unknown = null,
    index = 0,
  ) => ({
    chunk: {
      id: "c",
      object: "chat.completion.chunk" as const,
      created: 0,
      model: "m",
      choices: [{ index, delta, finish_reason: finish as null, logprobs }],
    },
  });

  it("collects text, tool calls, finish reason and logprobs from stream events", () => {
    const c = new StreamCollector();
    c.add(chunk({ role: "assistant", content: "" }));
    c.add(chunk({ content: "Hello" }, null, lp(-0.1)));
    c.add(chunk({ content: " world" }, null, lp(-0.3)));
    c.add(chunk({ content: "ignored" }, null, lp(-5), 1));
    c.add(chunk({}, "length"));
    expect(c.collected()).toEqual({
      answer: { content: "Hello world", refusal: null, toolCalls: 0, finishReason: "length" },
      logprobs: { tokens: 2, mean: -0.2, min: -0.3 },
    });
    expect(c.bytes).toBeGreaterThan(0);
  });

  it("counts tool calls by index, and refusals", () => {
    const c = new StreamCollector();
    c.add(chunk({ tool_calls: [{ index: 0, id: "a", function: { name: "f", arguments: "" } }] }));
    c.add(chunk({ tool_calls: [{ index: 0, function: { arguments: "{}" } }] }));
    c.add(chunk({ refusal: "no" }, "stop"));
    expect(c.collected().answer).toEqual({ content: "", refusal: "no", toolCalls: 1, finishReason: "stop" });
  });

  it("reads a JSON response's first choice", () => {
    const got = collectJson({
      id: "x",
      object: "chat.completion",
      created: 0,
      model: "m",
      choices: [{ index: 0, message: { role: "assistant", content: "hi" }, finish_reason: "stop", logprobs: lp(-1) }],
    });
    expect(got).toEqual({
      answer: { content: "hi", refusal: null, toolCalls: 0, finishReason: "stop" },
      logprobs: { tokens: 1, mean: -1, min: -1 },
    });
  });
});
