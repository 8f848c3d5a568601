import { describe, expect, it } from "vitest";
import { StreamAssembler } from "../../../src/cache/assemble";
import { replayChunks, splitText } from "../../../src/cache/replay";
import type { ChatResponse } from "../../../src/canonical/chat";

const response: ChatResponse = {
  id: "chatcmpl-1",
  object: "chat.completion",
  created: 1_700_000_000,
  model: "up-model",
  system_fingerprint: "fp_1",
  choices: [
    {
      index: 0,
      message: {
        role: "assistant",
        content: "The quick brown fox jumps over the lazy dog, then naps in the warm afternoon sun.",
        tool_calls: [{ id: "call_1", type: "function", function: { name: "lookup", arguments: '{"q":"fox"}' } }],
      },
      finish_reason: "tool_calls",
    },
    { index: 1, message: { role: "assistant", content: null, refusal: "I cannot help." }, finish_reason: "stop" },
  ],
  usage: { prompt_tokens: 12, completion_tokens: 20, total_tokens: 32 },
};

describe("stream replay and assembly", () => {
  it("splits text at whitespace into pieces that join back to the original", () => {
    const text = "one two three four five six seven eight nine ten eleven twelve";
    const pieces = splitText(text, 16);
    expect(pieces.join("")).toBe(text);
    expect(pieces.length).toBeGreaterThan(3);
    for (const p of pieces) expect(p.length).toBeLessThanOrEqual(16);
    expect(splitText("")).toEqual([""]);
    expect(splitText("x".repeat(40), 16).join("")).toBe("x".repeat(40));
  });

  it("replays a response as stream chunks: role, content pieces, tool calls, finish, then usage", () => {
    const chunks = replayChunks(response);
    expect(chunks[0]?.choices[0]?.delta.role).toBe("assistant");
    const content = chunks
      .filter((c) => c.choices[0]?.index === 0)
      .map((c) => c.choices[0]?.delta.content ?? "")
      .join("");
    expect(content).toBe(response.choices[0]?.message.content);
    expect(chunks.filter((c) => typeof c.choices[0]?.delta.content === "string").length).toBeGreaterThan(2);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: response.usage });
    for (const c of chunks)
      expect(c).toMatchObject({ id: "chatcmpl-1", model: "up-model", system_fingerprint: "fp_1" });
  });

  it("assembling the replayed chunks gives the response back", () => {
    const assembler = new StreamAssembler();
    for (const c of replayChunks(response)) assembler.add(c);
    expect(assembler.response()).toEqual(response);
  });

  it("assembles tool-call argument pieces by index and keeps the last finish reason", () => {
    const a = new StreamAssembler();
    const head = { id: "x", object: "chat.completion.chunk" as const, created: 1, model: "m" };
    a.add({ ...head, choices: [{ index: 0, delta: { role: "assistant" }, finish_reason: null }] });
    a.add({
      ...head,
      choices: [
        {
          index: 0,
          delta: {
            tool_calls: [{ index: 0, id: "c1", type: "function", function: { name: "get", arguments: '{"a"' } }],
          },
          finish_reason: null,
        },
      ],
    });
    a.add({
      ...head,
      choices: [
        { index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: ":1}" } }] }, finish_reason: null },
      ],
    });
    a.add({ ...head, choices: [{ index: 0, delta: {}, finish_reason: "tool_calls" }] });
    expect(a.response()?.choices[0]).toEqual({
      index: 0,
      message: {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "c1", type: "function", function: { name: "get", arguments: '{"a":1}' } }],
      },
      finish_reason: "tool_calls",
    });
    expect(new StreamAssembler().response()).toBeUndefined();
  });
});
