import type { z } from "zod";

/** Parses stored JSON text with its schema; a value that does not fit throws, naming what it was. */
export function decodeStored<T>(schema: z.ZodType<T>, text: string, what: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`stored ${what} is not JSON`);
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`stored ${what} does not decode: ${issue?.path.join(".")}: ${issue?.message}`);
  }
  return result.data;
}
