import type { Filter, Literal } from "./filter-parse";

/**
 * Compiles a filter AST to a SQL boolean over the `metadata` jsonb column. Every user value (paths included) becomes a
 * bind parameter; the SQL text is built only from fixed fragments and `$n` placeholders.
 *
 * Semantics: a leaf on a missing field is false (so `x != 1` and `x NOT IN (...)` need `x` to exist); ordering
 * operators match numbers only, GLOB strings only, CONTAINS arrays only. Each leaf is COALESCEd so SQL NULLs never leak
 * into AND/OR.
 */

export class SqlParams {
  readonly values: unknown[] = [];
  constructor(initial: readonly unknown[] = []) {
    this.values.push(...initial);
  }
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** UNIX glob (`*`, `?`, `[abc]`, `[^abc]`, `[!abc]`) to an anchored POSIX regex, case-sensitive. */
export function globToRegex(glob: string): string {
  let out = "^";
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] ?? "";
    if (ch === "*") out += ".*";
    else if (ch === "?") out += ".";
    else if (ch === "[") {
      const close = glob.indexOf("]", i + 2);
      if (close === -1) {
        out += "\\[";
        continue;
      }
      let body = glob.slice(i + 1, close);
      if (body.startsWith("!")) body = `^${body.slice(1)}`;
      out += `[${body.replaceAll("\\", "\\\\")}]`;
      i = close;
    } else if (/[A-Za-z0-9_\s]/.test(ch)) out += ch;
    else out += `\\${ch}`;
  }
  return `${out}$`;
}

const json = (value: unknown): string => JSON.stringify(value);

function leaf(filter: Exclude<Filter, { kind: "and" | "or" }>, params: SqlParams): string {
  const field = `(metadata #> ${params.add(filter.path.map(String))}::text[])`;
  const onType = (type: string, test: string) =>
    `(CASE WHEN jsonb_typeof(${field}) = '${type}' THEN ${test} ELSE false END)`;
  switch (filter.kind) {
    case "has":
      return filter.negated ? `(${field} IS NULL)` : `(${field} IS NOT NULL)`;
    case "compare": {
      if (filter.op === "=" || filter.op === "!=") {
        const op = filter.op === "=" ? "=" : "<>";
        return `COALESCE(${field} ${op} ${params.add(json(filter.value))}::jsonb, false)`;
      }
      return onType("number", `(${field})::numeric ${filter.op} ${params.add(String(filter.value))}::numeric`);
    }
    case "in": {
      const list = filter.values.map((v: Literal) => `${params.add(json(v))}::jsonb`).join(", ");
      return `COALESCE(${field} ${filter.negated ? "NOT IN" : "IN"} (${list}), false)`;
    }
    case "glob": {
      const test = `(${field} #>> '{}') ~ ${params.add(globToRegex(filter.pattern))}`;
      return onType("string", filter.negated ? `NOT (${test})` : test);
    }
    case "contains": {
      const test = `${field} @> ${params.add(json([filter.value]))}::jsonb`;
      return onType("array", filter.negated ? `NOT (${test})` : test);
    }
  }
}

export function filterToSql(filter: Filter, params: SqlParams): string {
  if (filter.kind === "and" || filter.kind === "or") {
    const joiner = filter.kind === "and" ? " AND " : " OR ";
    return `(${filter.operands.map((f) => filterToSql(f, params)).join(joiner)})`;
  }
  return leaf(filter, params);
}
