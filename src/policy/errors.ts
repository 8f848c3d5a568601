/** One problem found in the policy files. `path` points into the file's YAML, e.g. `models.small.targets[0].provider`. */
export interface PolicyError {
  file: string;
  /** Empty when the problem concerns the whole file (YAML syntax, empty directory). */
  path: string;
  message: string;
  /** 1-based line in `file`, when the problem can be pinned to one. */
  line?: number;
}

export type PathSegment = string | number;

// Ids may contain `.`, `/` and `:`, which would make a dotted path ambiguous; such keys are quoted instead.
const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

/** `["models", "gpt-4.1", "targets", 0]` -> `models["gpt-4.1"].targets[0]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out === "" ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** `policies/models.yaml:12: models.small.targets[0].provider: unknown provider "opnai" (...)` */
export function formatPolicyError(error: PolicyError): string {
  const where = error.line === undefined ? error.file : `${error.file}:${error.line}`;
  return error.path === "" ? `${where}: ${error.message}` : `${where}: ${error.path}: ${error.message}`;
}
