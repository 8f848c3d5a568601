import type { z } from "zod";
import { formatPath, type PathSegment, type PolicyError } from "./errors";
import { knownKeysAt } from "./schema-walk";
import { didYouMean } from "./suggest";

type RawIssue = z.core.$ZodRawIssue;

const NOUNS: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  object: "a map of keys to values",
  record: "a map of keys to values",
  array: "a list",
  null: "null",
};

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  return String(value);
}

/**
 * Messages for admins rather than developers. Passed to `safeParse` as the per-parse error map, so messages set in
 * the schema itself still win.
 */
export function friendlyMessage(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case "invalid_type": {
      if (issue.input === undefined) return "is required";
      const expected = NOUNS[issue.expected] ?? issue.expected;
      const quoted = typeof issue.input === "string" && /^-?\d+(\.\d+)?$/.test(issue.input.trim());
      const hint = quoted && (issue.expected === "number" || issue.expected === "int") ? " (remove the quotes)" : "";
      return `must be ${expected}, not ${describeValue(issue.input)}${hint}`;
    }
    case "too_small": {
      const min = Number(issue.minimum);
      if (issue.origin === "array") return `must list at least ${min} item${min === 1 ? "" : "s"}`;
      if (issue.origin === "string") return min <= 1 ? "must not be empty" : `must be at least ${min} characters`;
      return issue.inclusive === false ? `must be greater than ${min}` : `must be at least ${min}`;
    }
    case "too_big": {
      const max = Number(issue.maximum);
      if (issue.origin === "array") return `must list at most ${max} items`;
      if (issue.origin === "string") return `must be at most ${max} characters`;
      return issue.inclusive === false ? `must be less than ${max}` : `must be at most ${max}`;
    }
    case "invalid_value":
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}, not ${describeValue(issue.input)}`;
    default:
      return undefined;
  }
}

/** Turns zod issues for one file into policy errors with full paths, lines and typo hints. */
export function issuesToErrors(
  issues: readonly z.core.$ZodIssue[],
  file: string,
  root: z.ZodType,
  lineOf: (path: readonly PathSegment[]) => number | undefined,
): PolicyError[] {
  const errors: PolicyError[] = [];
  const push = (path: PathSegment[], message: string) =>
    errors.push({ file, path: formatPath(path), message, line: lineOf(path) });

  for (const issue of issues) {
    const path = issue.path.filter((s): s is PathSegment => typeof s !== "symbol");
    if (issue.code === "unrecognized_keys") {
      const known = knownKeysAt(root, path);
      const what = path.length === 0 ? "section" : "key";
      for (const key of issue.keys) {
        const hint = didYouMean(key, known);
        const list = known.length > 0 ? `; allowed: ${known.join(", ")}` : "";
        push([...path, key], `unknown ${what} "${key}"${hint}${list}`);
      }
    } else if (issue.code === "invalid_key") {
      const key = path[path.length - 1];
      const reason = issue.issues[0]?.message ?? "is not allowed";
      push(path, `invalid id ${JSON.stringify(key)}: ${reason}`);
    } else if (path.length === 0 && issue.code === "invalid_type") {
      push(path, "a policy file must be a map of sections (providers, models, routes, plans, tenants, tools)");
    } else {
      push(path, issue.message);
    }
  }
  return errors;
}
