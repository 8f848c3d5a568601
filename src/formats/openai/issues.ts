import type { z } from "zod";

/** One validation problem, reported the way OpenAI does: a message and the dotted path of the field at fault. */
export interface FieldProblem {
  message: string;
  /** Dotted path (`messages.0.role`); empty when the body itself is at fault. */
  param: string;
}

type Issue = z.core.$ZodIssue;
type PathKey = PropertyKey;

function join(path: readonly PathKey[]): string {
  return path.map(String).join(".");
}

/**
 * A failed union reports every branch. The branch that got furthest (longest path) is the one the caller meant:
 * `content: [{ type: "text", text: 1 }]` should point at `content.0.text`, not say "not a string".
 */
function deepest(issue: Issue, base: readonly PathKey[]): { issue: Issue; path: PathKey[] } {
  const here = [...base, ...issue.path];
  if (issue.code !== "invalid_union" || issue.errors.length === 0) return { issue, path: here };
  let best: { issue: Issue; path: PathKey[] } | undefined;
  for (const branch of issue.errors) {
    const first = branch[0];
    if (first === undefined) continue;
    const candidate = deepest(first, here);
    if (best === undefined || candidate.path.length > best.path.length) best = candidate;
  }
  if (best === undefined || best.path.length === here.length) {
    return { issue: { ...issue, message: unionMessage(issue) }, path: here };
  }
  return best;
}

/** Every branch failed at the union itself: say what a branch of the right type wanted, or list the types. */
function unionMessage(issue: z.core.$ZodIssueInvalidUnion): string {
  const firsts = issue.errors.flatMap((branch) => (branch[0] === undefined ? [] : [branch[0]]));
  const typeMismatch = firsts.flatMap((i) => (i.code === "invalid_type" ? [i.expected] : []));
  const other = firsts.find((i) => i.code !== "invalid_type");
  if (other !== undefined) return other.message;
  return typeMismatch.length > 0 ? `Invalid input: expected ${[...new Set(typeMismatch)].join(" or ")}` : issue.message;
}

/** The first problem of a failed parse, with the path flattened for clients. */
export function firstProblem(error: z.ZodError): FieldProblem {
  const first = error.issues[0];
  if (first === undefined) return { message: "Invalid request body", param: "" };
  const { issue, path } = deepest(first, []);
  const param = join(path);
  return { message: param === "" ? issue.message : `Invalid '${param}': ${issue.message}`, param };
}
