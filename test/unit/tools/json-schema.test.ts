import { describe, expect, it } from "vitest";
import { JSON_SCHEMA_KEYWORDS } from "../../../src/policy/json-schema-subset";
import type { JsonSchema } from "../../../src/policy/types";
import { validateJson } from "../../../src/tools/json-schema";

const WEATHER: JsonSchema = {
  type: "object",
  properties: {
    city: { type: "string", minLength: 1, maxLength: 10, pattern: "^[A-Za-z ]+$" },
    days: { type: "integer", minimum: 1, maximum: 7 },
    ratio: { type: "number", exclusiveMinimum: 0, exclusiveMaximum: 1 },
    units: { enum: ["metric", "imperial"] },
    version: { const: 2 },
    tags: { type: "array", items: { type: "string" }, minItems: 1, maxItems: 2 },
    nested: {
      type: "object",
      properties: { flag: { type: "boolean" }, note: { type: ["string", "null"] } },
      required: ["flag"],
    },
  },
  required: ["city"],
  description: "ignored",
  title: "ignored",
  default: {},
};

describe("validateJson: valid documents", () => {
  it.each([
    [{ city: "Paris" }],
    [{ city: "Paris", days: 3, ratio: 0.5, units: "metric", version: 2 }],
    [{ city: "Paris", tags: ["a"], nested: { flag: true, note: null } }],
    [{ city: "Paris", nested: { flag: false, note: "x" } }],
    [{ city: "Paris", days: 7.0 }],
  ])("accepts %j", (doc) => {
    expect(validateJson(WEATHER, doc)).toEqual({ ok: true });
  });
});

describe("validateJson: refusals name the failing path", () => {
  it.each([
    [{}, "city", /required/],
    [{ city: "Paris", extra: 1 }, "extra", /not an allowed property/],
    [{ city: "Paris", nested: { flag: true, sneaky: 1 } }, "nested.sneaky", /not an allowed property/],
    [{ city: 42 }, "city", /type string, not integer/],
    [{ city: null }, "city", /type string, not null/],
    [{ city: ["Paris"] }, "city", /type string, not array/],
    [{ city: "" }, "city", /at least 1/],
    [{ city: "Paris Paris Paris" }, "city", /at most 10/],
    [{ city: "Par1s" }, "city", /pattern/],
    [{ city: "Paris", days: 1.5 }, "days", /type integer, not number/],
    [{ city: "Paris", days: "3" }, "days", /type integer, not string/],
    [{ city: "Paris", days: 0 }, "days", /at least 1/],
    [{ city: "Paris", days: 8 }, "days", /at most 7/],
    [{ city: "Paris", ratio: 0 }, "ratio", /greater than 0/],
    [{ city: "Paris", ratio: 1 }, "ratio", /less than 1/],
    [{ city: "Paris", units: "kelvin" }, "units", /one of/],
    [{ city: "Paris", version: 3 }, "version", /must be 2/],
    [{ city: "Paris", tags: [] }, "tags", /at least 1 items/],
    [{ city: "Paris", tags: ["a", "b", "c"] }, "tags", /at most 2 items/],
    [{ city: "Paris", tags: ["a", 5] }, "tags.1", /type string/],
    [{ city: "Paris", nested: {} }, "nested.flag", /required/],
    [{ city: "Paris", nested: { flag: "yes" } }, "nested.flag", /type boolean/],
    [{ city: "Paris", nested: { flag: true, note: 1 } }, "nested.note", /string or null/],
  ])("refuses %j at %s", (doc, path, message) => {
    const result = validateJson(WEATHER, doc);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.kind).toBe("invalid");
      expect(result.path).toBe(path);
      expect(result.message).toMatch(message);
    }
  });

  it("refuses a non-object at the root", () => {
    const result = validateJson(WEATHER, ["Paris"]);
    expect(result).toMatchObject({ ok: false, path: "", kind: "invalid" });
  });
});

describe("validateJson: additionalProperties", () => {
  it("refuses extra properties when the schema lists none and says nothing", () => {
    expect(validateJson({ type: "object" }, { a: 1 })).toMatchObject({ ok: false, path: "a" });
    expect(validateJson({ type: "object" }, {})).toEqual({ ok: true });
  });

  it("refuses extra properties with additionalProperties: false", () => {
    const schema = { type: "object", properties: { a: { type: "number" } }, additionalProperties: false };
    expect(validateJson(schema, { a: 1, b: 2 })).toMatchObject({ ok: false, path: "b" });
  });

  it("accepts extra properties only with additionalProperties: true", () => {
    const schema = { type: "object", properties: { a: { type: "number" } }, additionalProperties: true };
    expect(validateJson(schema, { a: 1, b: { anything: [1, 2] } })).toEqual({ ok: true });
    expect(validateJson(schema, { a: "x" })).toMatchObject({ ok: false, path: "a" });
  });

  it("does not take prototype names for declared properties", () => {
    const schema = { type: "object", properties: { a: { type: "number" } } };
    expect(validateJson(schema, JSON.parse('{"__proto__": {"a": 1}}'))).toMatchObject({ ok: false, path: "__proto__" });
    expect(validateJson(schema, { constructor: 1 })).toMatchObject({ ok: false, path: "constructor" });
  });

  it("a required name is not satisfied by the prototype chain", () => {
    const schema = { type: "object", properties: { toString: { type: "string" } }, required: ["toString"] };
    expect(validateJson(schema, {})).toMatchObject({ ok: false, path: "toString" });
  });
});

describe("validateJson: the keyword subset", () => {
  it("fails closed on a keyword outside the subset", () => {
    const result = validateJson({ type: "object", anyOf: [] }, {});
    expect(result).toMatchObject({ ok: false, kind: "unsupported" });
    const nested = validateJson({ type: "object", properties: { a: { type: "string", format: "uri" } } }, { a: "x" });
    expect(nested).toMatchObject({ ok: false, kind: "unsupported", path: "a" });
  });

  it("enforces every keyword of the policy's subset (none is silently ignored)", () => {
    // A value that breaks each constraint keyword: the validator must refuse it.
    const breaking: Record<string, [JsonSchema, unknown]> = {
      type: [{ type: "string" }, 1],
      properties: [{ properties: { a: { type: "string" } } }, { a: 1 }],
      required: [{ properties: { a: {} }, required: ["a"] }, {}],
      additionalProperties: [{ properties: {}, additionalProperties: false }, { x: 1 }],
      enum: [{ enum: [1] }, 2],
      const: [{ const: "a" }, "b"],
      minLength: [{ minLength: 2 }, "a"],
      maxLength: [{ maxLength: 1 }, "ab"],
      pattern: [{ pattern: "^a$" }, "b"],
      minimum: [{ minimum: 1 }, 0],
      maximum: [{ maximum: 1 }, 2],
      exclusiveMinimum: [{ exclusiveMinimum: 1 }, 1],
      exclusiveMaximum: [{ exclusiveMaximum: 1 }, 1],
      items: [{ items: { type: "string" } }, [1]],
      minItems: [{ minItems: 1 }, []],
      maxItems: [{ maxItems: 0 }, [1]],
    };
    const annotations = new Set(["description", "title", "default"]);
    for (const keyword of JSON_SCHEMA_KEYWORDS) {
      if (annotations.has(keyword)) {
        expect(validateJson({ [keyword]: keyword === "default" ? 1 : "x" }, 5), keyword).toEqual({ ok: true });
        continue;
      }
      const pair = breaking[keyword];
      expect(pair, `test case for ${keyword}`).toBeDefined();
      if (pair === undefined) continue;
      expect(validateJson(pair[0], pair[1]).ok, keyword).toBe(false);
    }
  });

  it("counts string length in code points", () => {
    expect(validateJson({ maxLength: 2 }, "😀😀")).toEqual({ ok: true });
    expect(validateJson({ maxLength: 1 }, "😀😀").ok).toBe(false);
  });

  it("compares enum and const values structurally", () => {
    expect(validateJson({ enum: [{ a: [1, 2] }] }, { a: [1, 2] })).toEqual({ ok: true });
    expect(validateJson({ enum: [{ a: [1, 2] }] }, { a: [2, 1] }).ok).toBe(false);
    expect(validateJson({ const: { a: 1 } }, { a: 1, b: 2 }).ok).toBe(false);
  });
});
