import { z } from "zod";
import type { PathSegment } from "./errors";

/** Strips wrappers that do not change the shape (optional, default, transforms...). */
export function unwrapSchema(schema: z.ZodType): z.ZodType {
  if (
    schema instanceof z.ZodOptional ||
    schema instanceof z.ZodNullable ||
    schema instanceof z.ZodDefault ||
    schema instanceof z.ZodPrefault
  ) {
    return unwrapSchema(schema.unwrap() as z.ZodType);
  }
  if (schema instanceof z.ZodPipe) return unwrapSchema(schema.in as z.ZodType);
  return schema;
}

/** The schema that validates the value at `path`, or undefined when the path leaves the schema. */
export function schemaAt(root: z.ZodType, path: readonly PathSegment[]): z.ZodType | undefined {
  let current = unwrapSchema(root);
  for (const segment of path) {
    if (current instanceof z.ZodObject) {
      const next = (current.shape as Record<string, z.ZodType>)[String(segment)];
      if (next === undefined) return undefined;
      current = unwrapSchema(next);
    } else if (current instanceof z.ZodRecord) {
      current = unwrapSchema(current.valueType as z.ZodType);
    } else if (current instanceof z.ZodArray) {
      current = unwrapSchema(current.element as z.ZodType);
    } else {
      return undefined;
    }
  }
  return current;
}

/** Keys an object at `path` accepts (for "did you mean" hints on typos). */
export function knownKeysAt(root: z.ZodType, path: readonly PathSegment[]): string[] {
  const schema = schemaAt(root, path);
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}
