import { describe, expect, it } from "vitest";
import { toGeminiParameters, toGeminiSchema } from "../../../../src/formats/gemini/json-schema";

describe("toGeminiSchema", () => {
  it.each([
    [
      "types upper-cased, descriptions and required kept, additionalProperties/$schema dropped",
      {
        $schema: "http://json-schema.org/draft-07/schema#",
        type: "object",
        additionalProperties: false,
        properties: { city: { type: "string", description: "City name" }, days: { type: "integer", minimum: 1 } },
        required: ["city", "ghost"],
      },
      {
        type: "OBJECT",
        properties: { city: { type: "STRING", description: "City name" }, days: { type: "INTEGER", minimum: 1 } },
        required: ["city"],
      },
    ],
    [
      "type with null → nullable",
      { type: ["string", "null"], maxLength: 5 },
      { type: "STRING", nullable: true, maxLength: 5 },
    ],
    [
      "anyOf with a null branch → nullable single schema",
      { anyOf: [{ type: "number" }, { type: "null" }], description: "d" },
      { type: "NUMBER", nullable: true, description: "d" },
    ],
    [
      "oneOf → anyOf",
      { oneOf: [{ type: "string" }, { type: "integer" }] },
      { anyOf: [{ type: "STRING" }, { type: "INTEGER" }] },
    ],
    [
      "string enum gets format enum",
      { type: "string", enum: ["a", "b"] },
      { type: "STRING", format: "enum", enum: ["a", "b"] },
    ],
    ["const → one-value enum", { const: "fixed" }, { type: "STRING", format: "enum", enum: ["fixed"] }],
    ["numeric enum dropped", { type: "integer", enum: [1, 2] }, { type: "INTEGER" }],
    ["unsupported string format dropped", { type: "string", format: "email" }, { type: "STRING" }],
    ["supported formats kept", { type: "string", format: "date-time" }, { type: "STRING", format: "date-time" }],
    [
      "array items converted, tuple keywords dropped",
      { type: "array", items: { type: "boolean" }, minItems: 1, uniqueItems: true, prefixItems: [] },
      { type: "ARRAY", items: { type: "BOOLEAN" }, minItems: 1 },
    ],
    [
      "type inferred from properties",
      { properties: { a: { type: "string" } } },
      { type: "OBJECT", properties: { a: { type: "STRING" } } },
    ],
    [
      "allOf merged",
      {
        allOf: [{ properties: { a: { type: "string" } }, required: ["a"] }, { properties: { b: { type: "number" } } }],
      },
      { type: "OBJECT", properties: { a: { type: "STRING" }, b: { type: "NUMBER" } }, required: ["a"] },
    ],
  ])("%s", (_name, input, expected) => {
    expect(toGeminiSchema(input)).toEqual(expected);
  });

  it("inlines $defs references", () => {
    const schema = {
      type: "object",
      properties: { home: { $ref: "#/$defs/Address", description: "Home" } },
      $defs: { Address: { type: "object", properties: { street: { type: "string" } } } },
    };
    expect(toGeminiSchema(schema)).toEqual({
      type: "OBJECT",
      properties: { home: { type: "OBJECT", description: "Home", properties: { street: { type: "STRING" } } } },
    });
  });

  it("stops a recursive reference at the type of its target", () => {
    const schema = {
      $ref: "#/definitions/Node",
      definitions: {
        Node: { type: "object", properties: { children: { type: "array", items: { $ref: "#/definitions/Node" } } } },
      },
    };
    expect(toGeminiSchema(schema)).toEqual({
      type: "OBJECT",
      properties: { children: { type: "ARRAY", items: { type: "OBJECT" } } },
    });
  });
});

describe("toGeminiParameters", () => {
  it("omits the schema of a tool without arguments", () => {
    expect(toGeminiParameters({ type: "object", properties: {} })).toBeUndefined();
    expect(toGeminiParameters({ type: "object" })).toBeUndefined();
    expect(toGeminiParameters(undefined)).toBeUndefined();
  });

  it("keeps a free-form object and a regular one", () => {
    expect(toGeminiParameters({ type: "object", additionalProperties: true })).toEqual({ type: "OBJECT" });
    expect(toGeminiParameters({ type: "object", properties: { q: { type: "string" } } })).toEqual({
      type: "OBJECT",
      properties: { q: { type: "STRING" } },
    });
  });
});
