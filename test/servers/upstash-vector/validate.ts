import { type Filter, parseFilter } from "./filter-parse";
import type { Include, Metadata, Metric, VectorInput } from "./store";

/** Request-body checks: each returns a value or a `Problem` that the front turns into Upstash's error envelope. */

export class Problem extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The largest magnitude a float4 holds: pgvector stores single precision, as Upstash does. */
const FLOAT4_MAX = 3.4028234663852886e38;
export const MAX_TOP_K = 1000;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function asRecord(body: unknown, what: string): Record<string, unknown> {
  if (!isRecord(body)) throw new Problem(400, `${what} body must be a JSON object`);
  return body;
}

export function id(value: unknown): string {
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "string" && value !== "") return value;
  throw new Problem(400, "id must be a non-empty string or a number");
}

export function ids(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map(id);
}

export function vector(value: unknown, dimensions: number, metric: Metric): number[] {
  if (!Array.isArray(value) || !value.every((x) => typeof x === "number" && Number.isFinite(x))) {
    throw new Problem(400, "vector must be an array of finite numbers");
  }
  const numbers = value as number[];
  if (numbers.length !== dimensions) {
    throw new Problem(422, `Invalid vector dimension: ${numbers.length}, expected: ${dimensions}`);
  }
  if (numbers.some((x) => Math.abs(x) > FLOAT4_MAX)) throw new Problem(400, "vector values must fit in a float32");
  // Cosine of a zero vector is undefined (pgvector would answer NaN scores).
  if (metric === "COSINE" && numbers.every((x) => x === 0)) {
    throw new Problem(422, "Zero vector is not allowed with the COSINE similarity function");
  }
  return numbers;
}

export function metadata(value: unknown): Metadata | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw new Problem(400, "metadata must be a JSON object");
  return value;
}

export function data(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new Problem(400, "data must be a string");
  return value;
}

export function flag(body: Record<string, unknown>, key: string): boolean {
  const value = body[key];
  if (value === undefined || value === null) return false;
  if (typeof value !== "boolean") throw new Problem(400, `${key} must be a boolean`);
  return value;
}

export function include(body: Record<string, unknown>): Include {
  return {
    metadata: flag(body, "includeMetadata"),
    vectors: flag(body, "includeVectors"),
    data: flag(body, "includeData"),
  };
}

export function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new Problem(400, `${key} must be a string`);
  return value;
}

/** An empty or absent filter means no filter, as with Upstash. */
export function filter(body: Record<string, unknown>): Filter | undefined {
  const text = optionalString(body, "filter");
  if (text === undefined || text.trim() === "") return undefined;
  const parsed = parseFilter(text);
  if (!parsed.ok) throw new Problem(400, parsed.error);
  return parsed.filter;
}

export function integer(value: unknown, key: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new Problem(400, `${key} must be an integer between ${min} and ${max}`);
  }
  return value;
}

export function upsertItem(value: unknown, dimensions: number, metric: Metric): VectorInput {
  const item = asRecord(value, "each upsert");
  if (item.sparseVector !== undefined) throw new Problem(400, "This index does not support sparse vectors");
  if (item.vector === undefined) throw new Problem(400, "vector is required for a dense index without embeddings");
  const out: VectorInput = { id: id(item.id), vector: vector(item.vector, dimensions, metric) };
  const meta = metadata(item.metadata);
  if (meta !== undefined) out.metadata = meta;
  const text = data(item.data);
  if (text !== undefined) out.data = text;
  return out;
}
