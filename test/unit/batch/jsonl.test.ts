import { describe, expect, it } from "vitest";
import { parseBatchFile } from "../../../src/batch/jsonl";

const chat = (id: string, body: Record<string, unknown> = {}) =>
  JSON.stringify({
    custom_id: id,
    method: "POST",
    url: "/v1/chat/completions",
    body: { model: "m", messages: [{ role: "user", content: "hi" }], ...body },
  });

describe.each<[string, string, { line: number; message: RegExp } | number]>([
  ["two lines, trailing newline", `${chat("a")}\n${chat("b")}\n`, 2],
  ["CRLF line endings", `${chat("a")}\r\n${chat("b")}\r\n`, 2],
  ["blank lines skipped, numbered as in the file", `\n${chat("a")}\n\n{`, { line: 4, message: /not valid JSON/ }],
  ["an array line", "[]", { line: 1, message: /must be a JSON object/ }],
  [
    "a missing custom_id",
    JSON.stringify({ method: "POST", url: "/v1/embeddings", body: {} }),
    { line: 1, message: /custom_id/ },
  ],
  ["GET", chat("a").replace('"POST"', '"GET"'), { line: 1, message: /method must be "POST"/ }],
  [
    "an unserved url",
    chat("a").replace("/v1/chat/completions", "/v1/moderations"),
    { line: 1, message: /url must be one of/ },
  ],
  ["a body without a model", chat("a", { model: 3 }), { line: 1, message: /body\.model must be a string/ }],
  ["a stream", chat("a", { stream: true }), { line: 1, message: /stream/ }],
  ["a repeated custom_id", `${chat("a")}\n${chat("a")}`, { line: 2, message: /repeated/ }],
  ["nothing", "", { line: 1, message: /no requests/ }],
])("%s", (_label, text, expected) => {
  it("parses or names the line", () => {
    const result = parseBatchFile(text);
    if (typeof expected === "number") {
      expect(result.ok && result.items.length).toBe(expected);
    } else {
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.line).toBe(expected.line);
        expect(result.message).toMatch(expected.message);
      }
    }
  });
});
