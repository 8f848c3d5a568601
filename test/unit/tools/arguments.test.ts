import { describe, expect, it } from "vitest";
import { checkArguments } from "../../../src/tools/arguments";
import { toolConfig } from "./helpers";

const tool = toolConfig();

describe("checkArguments", () => {
  it("accepts an object and the JSON text of one alike", () => {
    expect(checkArguments({ city: "Paris" }, tool)).toEqual({
      ok: true,
      args: { city: "Paris" },
      text: '{"city":"Paris"}',
    });
    expect(checkArguments('{"city": "Paris"}', tool)).toMatchObject({ ok: true, args: { city: "Paris" } });
  });

  it.each([
    ["truncated JSON", '{"city": "Par'],
    ["single quotes", "{'city': 'Paris'}"],
    ["trailing comma", '{"city": "Paris",}'],
    ["empty string", ""],
    ["plain text", "Paris"],
    ["NaN", '{"city": NaN}'],
  ])("refuses invalid JSON: %s", (_label, text) => {
    expect(checkArguments(text, tool)).toMatchObject({ ok: false, param: "arguments", message: /not valid JSON/ });
  });

  it.each([
    ["a top-level name", '{"city": "Paris", "city": "evil.example"}', "arguments.city"],
    ["a name spelled with an escape", '{"city": "Paris", "\\u0063ity": "evil.example"}', "arguments.city"],
    [
      "a nested name",
      '{"city": "Paris", "opts": {"units": "c", "x": [1, {"a": 1}], "units": "f"}}',
      "arguments.opts.units",
    ],
    ["a name inside an array item", '{"city": "Paris", "stops": [{"n": 1}, {"n": 2, "n": 3}]}', "arguments.stops.1.n"],
  ])("refuses duplicate member names (last-wins parsing would hide one): %s", (_label, text, param) => {
    expect(
      checkArguments(text, toolConfig({ parameters: { type: "object", additionalProperties: true } })),
    ).toMatchObject({
      ok: false,
      param,
      message: /given more than once/,
    });
  });

  it("the same name in sibling objects, or a name equal to a string value, is no duplicate", () => {
    const open = toolConfig({ parameters: { type: "object", additionalProperties: true } });
    expect(checkArguments('{"a": {"n": 1}, "b": {"n": 1}, "c": "a", "d": ["a", "a"]}', open).ok).toBe(true);
    expect(checkArguments('{"a": "x\\"y", "b": "\\\\", "c": "{\\"a\\":1}"}', open).ok).toBe(true);
  });

  it.each([
    ["an array", "[1]"],
    ["a string", '"Paris"'],
    ["null", "null"],
    ["a number", "1"],
  ])("refuses JSON that is not an object: %s", (_label, text) => {
    expect(checkArguments(text, tool)).toMatchObject({ ok: false, message: /must be a JSON object/ });
  });

  it("refuses values that cannot be JSON", () => {
    expect(checkArguments(10n, tool).ok).toBe(false);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(checkArguments(circular, tool).ok).toBe(false);
    expect(checkArguments(undefined, tool).ok).toBe(false);
  });

  it("refuses oversize arguments by UTF-8 bytes, before parsing", () => {
    const atLimit = JSON.stringify({ city: "x".repeat(256 - 11) });
    expect(new TextEncoder().encode(atLimit).length).toBe(256);
    expect(checkArguments(atLimit, toolConfig({ parameters: { type: "object", additionalProperties: true } })).ok).toBe(
      true,
    );
    const over = JSON.stringify({ city: "é".repeat(130) }); // 130 characters, 260+ bytes
    expect(checkArguments(over, tool)).toMatchObject({ ok: false, param: "arguments", message: /bytes/ });
    expect(checkArguments(`${" ".repeat(300)}{}`, tool)).toMatchObject({ ok: false, message: /bytes/ });
  });

  it("refuses schema violations with the argument's path", () => {
    expect(checkArguments({ city: 5 }, tool)).toMatchObject({ ok: false, param: "arguments.city" });
    expect(checkArguments({ city: "Paris", extra: true }, tool)).toMatchObject({
      ok: false,
      param: "arguments.extra",
      message: "arguments.extra is not an allowed property.",
    });
    expect(checkArguments({}, tool)).toMatchObject({ ok: false, param: "arguments.city", message: /required/ });
  });

  it("flags a schema outside the subset as a misconfiguration, not the caller's fault", () => {
    const bad = toolConfig({ parameters: { type: "object", oneOf: [] } });
    expect(checkArguments({}, bad)).toMatchObject({ ok: false, misconfigured: true });
  });
});
