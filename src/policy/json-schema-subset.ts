import { closest } from "./suggest";

/**
 * The JSON Schema subset a tool's `parameters` may use. The policy build refuses every other keyword and the runtime
 * argument validator (src/tools/) implements exactly these, so a schema that compiles is enforced in full: nothing a
 * model sees in the schema is silently ignored by the gateway. No `$ref`, no combinators (`anyOf`, `oneOf`, ...), no
 * `format`: each would need a validator of its own, and tool arguments rarely need them.
 *
 * This file must stay free of zod and of the YAML parser: the Worker bundle imports it.
 */
export const JSON_SCHEMA_KEYWORDS = [
  "type",
  "properties",
  "required",
  "additionalProperties",
  "enum",
  "const",
  "minLength",
  "maxLength",
  "pattern",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "items",
  "minItems",
  "maxItems",
  "description",
  "title",
  "default",
] as const;

export type JsonSchemaKeyword = (typeof JSON_SCHEMA_KEYWORDS)[number];

export const JSON_SCHEMA_TYPES = ["object", "string", "number", "integer", "boolean", "array", "null"] as const;

export type JsonSchemaType = (typeof JSON_SCHEMA_TYPES)[number];

/** Schemas on the path from the root to the deepest one, the root included (the root alone is depth 1). */
export const MAX_SCHEMA_DEPTH = 8;

/**
 * `pattern` as the runtime must compile it. ECMAScript syntax with the `u` flag (JSON Schema's regex dialect), not
 * anchored: `"^[a-z]+$"` must spell out its anchors.
 */
export function compileSchemaPattern(pattern: string): RegExp {
  return new RegExp(pattern, "u");
}

export interface SchemaProblem {
  /** Path inside the schema, e.g. `["properties", "city", "minLength"]`. */
  path: (string | number)[];
  message: string;
}

const KEYWORDS: ReadonlySet<string> = new Set(JSON_SCHEMA_KEYWORDS);
const TYPES: ReadonlySet<string> = new Set(JSON_SCHEMA_TYPES);
const COUNT_KEYWORDS = ["minLength", "maxLength", "minItems", "maxItems"] as const;
const NUMBER_KEYWORDS = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"] as const;

type Path = (string | number)[];

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The types a schema declares (empty when it declares none or the declaration is malformed). */
export function declaredTypes(schema: Record<string, unknown>): string[] {
  const type = schema.type;
  if (typeof type === "string") return [type];
  if (Array.isArray(type)) return type.filter((t): t is string => typeof t === "string");
  return [];
}

/** Every problem of a tool's `parameters`; empty when it is an object schema within the subset. */
export function jsonSchemaProblems(schema: unknown): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  if (!isMap(schema))
    return [{ path: [], message: "must be a JSON Schema (a map), e.g. { type: object, properties: {...} }" }];
  const types = declaredTypes(schema);
  if (types.length !== 1 || types[0] !== "object") {
    problems.push({
      path: schema.type === undefined ? [] : ["type"],
      message: "the arguments must be an object: write `type: object` at the top of `parameters`",
    });
  }
  checkSchema(schema, [], 1, problems);
  return problems;
}

function checkSchema(schema: unknown, path: Path, depth: number, problems: SchemaProblem[]): void {
  const report = (at: Path, message: string) => problems.push({ path: [...path, ...at], message });
  if (!isMap(schema)) {
    report([], "must be a schema (a map of keywords)");
    return;
  }
  if (depth > MAX_SCHEMA_DEPTH) {
    report([], `nests deeper than ${MAX_SCHEMA_DEPTH} levels; flatten the arguments`);
    return;
  }
  for (const key of Object.keys(schema)) {
    if (KEYWORDS.has(key)) continue;
    const match = closest(key, JSON_SCHEMA_KEYWORDS);
    const hint = match === undefined ? "" : ` (did you mean "${match}"?)`;
    report([key], `unsupported JSON Schema keyword "${key}"${hint}; tools may use: ${JSON_SCHEMA_KEYWORDS.join(", ")}`);
  }
  checkType(schema.type, report);
  for (const key of ["description", "title"] as const) {
    if (schema[key] !== undefined && typeof schema[key] !== "string") report([key], "must be a string");
  }
  for (const key of COUNT_KEYWORDS) {
    const value = schema[key];
    if (value !== undefined && !(Number.isSafeInteger(value) && (value as number) >= 0)) {
      report([key], "must be a whole number, 0 or more");
    }
  }
  checkRange(schema, "minLength", "maxLength", report);
  checkRange(schema, "minItems", "maxItems", report);
  for (const key of NUMBER_KEYWORDS) {
    const value = schema[key];
    if (typeof value === "boolean") {
      report([key], `must be a number (the draft-04 boolean form is not supported: write ${key}: <limit>)`);
    } else if (value !== undefined && !(typeof value === "number" && Number.isFinite(value))) {
      report([key], "must be a number");
    }
  }
  checkRange(schema, "minimum", "maximum", report);
  if (schema.pattern !== undefined) checkPattern(schema.pattern, report);
  if (schema.enum !== undefined && (!Array.isArray(schema.enum) || schema.enum.length === 0)) {
    report(["enum"], "must be a non-empty list of allowed values");
  }
  if (schema.additionalProperties !== undefined && typeof schema.additionalProperties !== "boolean") {
    report(["additionalProperties"], "must be true or false (schemas for extra properties are not supported)");
  }
  checkProperties(schema, path, depth, problems, report);
  if (schema.items !== undefined) {
    if (Array.isArray(schema.items)) report(["items"], "must be one schema (tuple schemas are not supported)");
    else checkSchema(schema.items, [...path, "items"], depth + 1, problems);
  }
}

function checkType(type: unknown, report: (at: Path, message: string) => void): void {
  if (type === undefined) return;
  const list = Array.isArray(type) ? type : [type];
  if (list.length === 0) report(["type"], "must name at least one type");
  const seen = new Set<unknown>();
  list.forEach((entry, index) => {
    const at = Array.isArray(type) ? ["type", index] : ["type"];
    if (typeof entry !== "string" || !TYPES.has(entry)) {
      report(at, `must be one of ${JSON_SCHEMA_TYPES.join(", ")} (or a list of them), not ${JSON.stringify(entry)}`);
    } else if (seen.has(entry)) {
      report(at, `type "${entry}" is listed twice`);
    }
    seen.add(entry);
  });
}

function checkRange(
  schema: Record<string, unknown>,
  low: string,
  high: string,
  report: (at: Path, message: string) => void,
): void {
  const min = schema[low];
  const max = schema[high];
  if (typeof min === "number" && typeof max === "number" && min > max) {
    report([high], `is ${max}, below ${low} ${min}: no value could match`);
  }
}

function checkPattern(pattern: unknown, report: (at: Path, message: string) => void): void {
  if (typeof pattern !== "string") {
    report(["pattern"], "must be a string (a regular expression)");
    return;
  }
  try {
    compileSchemaPattern(pattern);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    report(["pattern"], `is not a valid JavaScript regular expression: ${reason}`);
  }
}

function checkProperties(
  schema: Record<string, unknown>,
  path: Path,
  depth: number,
  problems: SchemaProblem[],
  report: (at: Path, message: string) => void,
): void {
  const properties = schema.properties;
  if (properties !== undefined && !isMap(properties))
    report(["properties"], "must be a map of property name -> schema");
  const names = isMap(properties) ? Object.keys(properties) : [];
  if (isMap(properties)) {
    for (const [name, child] of Object.entries(properties))
      checkSchema(child, [...path, "properties", name], depth + 1, problems);
  }
  if (schema.required === undefined) return;
  if (!Array.isArray(schema.required)) {
    report(["required"], "must be a list of property names");
    return;
  }
  const seen = new Set<unknown>();
  schema.required.forEach((name, index) => {
    if (typeof name !== "string") report(["required", index], "must be a property name (a string)");
    else if (seen.has(name)) report(["required", index], `"${name}" is listed twice`);
    else if (!names.includes(name)) {
      const match = closest(name, names);
      const hint = match === undefined ? "" : `; did you mean "${match}"?`;
      const known = names.length === 0 ? "none are defined" : `defined: ${names.join(", ")}`;
      report(["required", index], `"${name}" is not one of the schema's properties (${known})${hint}`);
    }
    seen.add(name);
  });
}
