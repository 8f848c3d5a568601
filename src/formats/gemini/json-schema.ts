import type { GeminiSchema } from "./types";

/**
 * JSON Schema (as OpenAI clients write it) → the OpenAPI-3.0 subset Gemini accepts in `functionDeclarations[].parameters`
 * and `generationConfig.responseSchema`.
 *
 * Gemini rejects the whole request on a keyword it does not know, so unsupported keywords (`additionalProperties`,
 * `$schema`, `$id`, `default`, `examples`, `not`, `if/then/else`, `patternProperties`, `multipleOf`, `exclusive*`,
 * `uniqueItems`, tuple `items`/`prefixItems`, ...) are dropped instead of failing: they only constrain or document,
 * and the model still sees every property, type, enum and description. What is rewritten rather than dropped:
 * - local `$ref`s into `$defs`/`definitions` are inlined (a recursive reference stops at the type of its target);
 * - `allOf` members are merged; `oneOf` becomes `anyOf`;
 * - `type: [X, "null"]` and `anyOf: [X, {type: "null"}]` become `X` with `nullable: true`;
 * - `const` becomes a one-value string `enum`; non-string enums are dropped (Gemini enums are strings only);
 * - `format` is kept only where Gemini accepts it (STRING: enum, date-time; NUMBER: float, double; INTEGER: int32, int64).
 */

type Json = Record<string, unknown>;
type GeminiType = NonNullable<GeminiSchema["type"]>;

const TYPES: Record<string, GeminiType> = {
  string: "STRING",
  number: "NUMBER",
  integer: "INTEGER",
  boolean: "BOOLEAN",
  array: "ARRAY",
  object: "OBJECT",
};

const FORMATS: Partial<Record<GeminiType, string[]>> = {
  STRING: ["enum", "date-time"],
  NUMBER: ["float", "double"],
  INTEGER: ["int32", "int64"],
};

const NUMERIC_KEYS = [
  "minItems",
  "maxItems",
  "minProperties",
  "maxProperties",
  "minLength",
  "maxLength",
  "minimum",
  "maximum",
] as const;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

interface Ctx {
  root: Json;
  /** `$ref`s being expanded on the current path, to stop recursive schemas. */
  expanding: string[];
}

function resolveRef(ref: string, root: Json): Json | undefined {
  const m = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
  if (m === null) return ref === "#" ? root : undefined;
  const defs = root[m[1] ?? ""];
  const name = (m[2] ?? "").replaceAll("~1", "/").replaceAll("~0", "~");
  const target = isObject(defs) ? defs[name] : undefined;
  return isObject(target) ? target : undefined;
}

function isNullSchema(s: unknown): boolean {
  return isObject(s) && s.type === "null" && Object.keys(s).every((k) => k === "type" || k === "description");
}

function mergeAllOf(node: Json): Json {
  const { allOf, ...rest } = node;
  if (!Array.isArray(allOf)) return node;
  const merged: Json = { ...rest };
  const properties: Json = isObject(rest.properties) ? { ...rest.properties } : {};
  const required = new Set<string>(
    Array.isArray(rest.required) ? rest.required.filter((r) => typeof r === "string") : [],
  );
  for (const member of allOf) {
    if (!isObject(member)) continue;
    for (const [k, v] of Object.entries(member)) {
      if (k === "properties" && isObject(v)) Object.assign(properties, v);
      else if (k === "required" && Array.isArray(v)) {
        for (const r of v) if (typeof r === "string") required.add(r);
      } else if (!(k in merged)) merged[k] = v;
    }
  }
  if (Object.keys(properties).length > 0) merged.properties = properties;
  if (required.size > 0) merged.required = [...required];
  return merged;
}

function inferType(node: Json): GeminiType | undefined {
  if (isObject(node.properties)) return "OBJECT";
  if (node.items !== undefined) return "ARRAY";
  if (Array.isArray(node.enum) && node.enum.every((v) => typeof v === "string")) return "STRING";
  if (typeof node.const === "string") return "STRING";
  return undefined;
}

function convertNode(input: unknown, ctx: Ctx): GeminiSchema {
  if (!isObject(input)) return {};
  let node = input;

  if (typeof node.$ref === "string") {
    const ref = node.$ref;
    const target = resolveRef(ref, ctx.root);
    const { $ref: _drop, ...siblings } = node;
    if (target === undefined) return convertNode(siblings, ctx);
    if (ctx.expanding.includes(ref)) {
      const t = typeof target.type === "string" ? TYPES[target.type] : inferType(target);
      return t === undefined ? {} : { type: t };
    }
    return convertNode({ ...target, ...siblings }, { ...ctx, expanding: [...ctx.expanding, ref] });
  }
  node = mergeAllOf(node);

  const out: GeminiSchema = {};
  if (typeof node.title === "string") out.title = node.title;
  if (typeof node.description === "string") out.description = node.description;
  if (node.nullable === true) out.nullable = true;

  const union = Array.isArray(node.anyOf) ? node.anyOf : Array.isArray(node.oneOf) ? node.oneOf : undefined;
  if (union !== undefined) {
    const nonNull = union.filter((s) => !isNullSchema(s));
    if (nonNull.length < union.length) out.nullable = true;
    if (nonNull.length === 1) return { ...convertNode(nonNull[0], ctx), ...out };
    if (nonNull.length > 1) out.anyOf = nonNull.map((s) => convertNode(s, ctx));
    return out;
  }

  let type: GeminiType | undefined;
  if (typeof node.type === "string") type = TYPES[node.type];
  else if (Array.isArray(node.type)) {
    const types = node.type.filter((t): t is string => typeof t === "string");
    const nonNull = types.filter((t) => t !== "null");
    if (nonNull.length < types.length) out.nullable = true;
    if (nonNull.length === 1) type = TYPES[nonNull[0] ?? ""];
    else if (nonNull.length > 1) {
      out.anyOf = nonNull.flatMap((t) => (TYPES[t] === undefined ? [] : [{ type: TYPES[t] }]));
      return out;
    }
  }
  if (node.type === "null") return { ...out, nullable: true };
  type ??= inferType(node);
  if (type !== undefined) out.type = type;

  const enumValues = node.const !== undefined ? [node.const] : node.enum;
  if (Array.isArray(enumValues) && enumValues.length > 0 && enumValues.every((v) => typeof v === "string")) {
    out.type = "STRING";
    out.format = "enum";
    out.enum = enumValues;
  } else if (typeof node.format === "string" && type !== undefined && FORMATS[type]?.includes(node.format)) {
    out.format = node.format;
  }

  for (const key of NUMERIC_KEYS) {
    const v = node[key];
    if (typeof v === "number") out[key] = v;
  }
  if (typeof node.pattern === "string") out.pattern = node.pattern;

  if (isObject(node.properties)) {
    const properties: Record<string, GeminiSchema> = {};
    for (const [name, sub] of Object.entries(node.properties)) properties[name] = convertNode(sub, ctx);
    out.properties = properties;
    if (Array.isArray(node.required)) {
      const required = node.required.filter((r): r is string => typeof r === "string" && r in properties);
      if (required.length > 0) out.required = required;
    }
  }
  if (isObject(node.items)) out.items = convertNode(node.items, ctx);
  return out;
}

export function toGeminiSchema(schema: Record<string, unknown>): GeminiSchema {
  return convertNode(schema, { root: schema, expanding: [] });
}

/**
 * Function parameters: a no-argument tool (`{type: "object", properties: {}}`, as OpenAI clients send it) is declared
 * without `parameters`, because Gemini rejects an OBJECT parameter schema with no properties.
 */
export function toGeminiParameters(schema: Record<string, unknown> | undefined): GeminiSchema | undefined {
  if (schema === undefined) return undefined;
  const converted = toGeminiSchema(schema);
  const empty = converted.properties === undefined || Object.keys(converted.properties).length === 0;
  const freeForm = schema.additionalProperties !== undefined && schema.additionalProperties !== false;
  if (converted.type === "OBJECT" && empty && !freeForm) return undefined;
  return converted;
}
