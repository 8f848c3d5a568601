import { compileSchemaPattern, JSON_SCHEMA_KEYWORDS } from "../policy/json-schema-subset";
import type { JsonSchema } from "../policy/types";

/**
 * A validator for exactly the JSON Schema subset tool parameters may use (JSON_SCHEMA_KEYWORDS; the policy build
 * refuses any other keyword). One deliberate difference from JSON Schema: an object accepts only the properties it lists unless it
 * says `additionalProperties: true`, so a model cannot smuggle extra fields past a schema that forgot to close itself.
 * An unknown keyword fails validation (fail closed) instead of being ignored.
 */

const SUPPORTED: ReadonlySet<string> = new Set(JSON_SCHEMA_KEYWORDS);

export type SchemaCheck =
  | { ok: true }
  /** `path` is dotted from the root (`""` for the root, `city`, `stops.0.name`). */
  | { ok: false; kind: "invalid" | "unsupported"; path: string; message: string };

const OK: SchemaCheck = { ok: true };

function fail(path: string[], message: string): SchemaCheck {
  return { ok: false, kind: "invalid", path: path.join("."), message };
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function typeMatches(type: unknown, actual: string): boolean {
  const types = Array.isArray(type) ? type : [type];
  return types.some((t) => t === actual || (t === "number" && actual === "integer"));
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every(
      (k) => Object.hasOwn(b, k) && jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
    )
  );
}

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function num(schema: JsonSchema, key: string): number | undefined {
  const v = schema[key];
  return typeof v === "number" ? v : undefined;
}

function checkString(schema: JsonSchema, value: string, path: string[]): SchemaCheck {
  const min = num(schema, "minLength");
  const max = num(schema, "maxLength");
  if (min !== undefined || max !== undefined) {
    // JSON Schema counts code points, not UTF-16 units.
    const length = [...value].length;
    if (min !== undefined && length < min) return fail(path, `must be at least ${min} characters long`);
    if (max !== undefined && length > max) return fail(path, `must be at most ${max} characters long`);
  }
  if (typeof schema.pattern === "string") {
    let re: RegExp;
    try {
      re = compileSchemaPattern(schema.pattern);
    } catch {
      return { ok: false, kind: "unsupported", path: path.join("."), message: "the schema's pattern is invalid" };
    }
    if (!re.test(value)) return fail(path, `must match the pattern ${schema.pattern}`);
  }
  return OK;
}

function checkNumber(schema: JsonSchema, value: number, path: string[]): SchemaCheck {
  const min = num(schema, "minimum");
  const max = num(schema, "maximum");
  const xmin = num(schema, "exclusiveMinimum");
  const xmax = num(schema, "exclusiveMaximum");
  if (min !== undefined && value < min) return fail(path, `must be at least ${min}`);
  if (max !== undefined && value > max) return fail(path, `must be at most ${max}`);
  if (xmin !== undefined && value <= xmin) return fail(path, `must be greater than ${xmin}`);
  if (xmax !== undefined && value >= xmax) return fail(path, `must be less than ${xmax}`);
  return OK;
}

function checkObject(schema: JsonSchema, value: Record<string, unknown>, path: string[]): SchemaCheck {
  const properties = isSchema(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required : [];
  for (const name of required) {
    if (typeof name === "string" && !Object.hasOwn(value, name)) {
      return fail([...path, name], "is required");
    }
  }
  for (const [name, child] of Object.entries(value)) {
    const sub = Object.hasOwn(properties, name) ? properties[name] : undefined;
    if (sub === undefined) {
      if (schema.additionalProperties === true) continue;
      return fail([...path, name], "is not an allowed property");
    }
    if (!isSchema(sub))
      return { ok: false, kind: "unsupported", path: [...path, name].join("."), message: "bad schema" };
    const result = check(sub, child, [...path, name]);
    if (!result.ok) return result;
  }
  return OK;
}

function checkArray(schema: JsonSchema, value: unknown[], path: string[]): SchemaCheck {
  const min = num(schema, "minItems");
  const max = num(schema, "maxItems");
  if (min !== undefined && value.length < min) return fail(path, `must have at least ${min} items`);
  if (max !== undefined && value.length > max) return fail(path, `must have at most ${max} items`);
  if (isSchema(schema.items)) {
    for (const [i, item] of value.entries()) {
      const result = check(schema.items, item, [...path, String(i)]);
      if (!result.ok) return result;
    }
  }
  return OK;
}

function check(schema: JsonSchema, value: unknown, path: string[]): SchemaCheck {
  for (const key of Object.keys(schema)) {
    if (!SUPPORTED.has(key)) {
      return { ok: false, kind: "unsupported", path: path.join("."), message: `unsupported schema keyword ${key}` };
    }
  }
  const actual = typeOf(value);
  if (schema.type !== undefined && !typeMatches(schema.type, actual)) {
    const expected = Array.isArray(schema.type) ? schema.type.join(" or ") : String(schema.type);
    return fail(path, `must be of type ${expected}, not ${actual}`);
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((v) => jsonEqual(v, value))) {
    return fail(path, `must be one of ${JSON.stringify(schema.enum)}`);
  }
  if (Object.hasOwn(schema, "const") && !jsonEqual(schema.const, value)) {
    return fail(path, `must be ${JSON.stringify(schema.const)}`);
  }
  if (typeof value === "string") return checkString(schema, value, path);
  if (typeof value === "number") return checkNumber(schema, value, path);
  if (Array.isArray(value)) return checkArray(schema, value, path);
  // An enum or const already pins the object exactly; otherwise it is closed unless it says otherwise.
  const pinned = Array.isArray(schema.enum) || Object.hasOwn(schema, "const");
  if (actual === "object" && !pinned) return checkObject(schema, value as Record<string, unknown>, path);
  return OK;
}

/** Validates a parsed JSON value against a schema of the supported subset; stops at the first problem. */
export function validateJson(schema: JsonSchema, value: unknown): SchemaCheck {
  return check(schema, value, []);
}
