/**
 * The Upstash Vector metadata filter language, parsed into a small AST:
 *   expr    := and (OR and)*            (AND binds tighter than OR, as in SQL)
 *   and     := primary (AND primary)*
 *   primary := '(' expr ')' | HAS [NOT] FIELD path | path op literal | path [NOT] IN '(' literal, ... ')'
 *            | path [NOT] GLOB string | path [NOT] CONTAINS literal
 * Paths are dotted keys with array indexes (`a.b[0]`, `a[#-1]` = last element). Keywords are case-insensitive.
 */

export type Literal = string | number | boolean;
/** Object keys as strings, array indexes as numbers (negative counts from the end). */
export type FieldPath = readonly (string | number)[];
export type CompareOp = "=" | "!=" | "<" | "<=" | ">" | ">=";

export type Filter =
  | { kind: "and"; operands: Filter[] }
  | { kind: "or"; operands: Filter[] }
  | { kind: "compare"; op: CompareOp; path: FieldPath; value: Literal }
  | { kind: "in"; negated: boolean; path: FieldPath; values: Literal[] }
  | { kind: "glob"; negated: boolean; path: FieldPath; pattern: string }
  | { kind: "contains"; negated: boolean; path: FieldPath; value: Literal }
  | { kind: "has"; negated: boolean; path: FieldPath };

export type FilterParse = { ok: true; filter: Filter } | { ok: false; error: string };

type Token =
  | { type: "path"; path: FieldPath; text: string; at: number }
  | { type: "string"; value: string; at: number }
  | { type: "number"; value: number; at: number }
  | { type: "punct"; value: string; at: number }
  | { type: "end"; at: number };

const MAX_FILTER_LENGTH = 16_384;
const MAX_DEPTH = 64;
const KEYWORDS = new Set(["and", "or", "not", "in", "glob", "contains", "has", "field", "true", "false"]);
const PATH_RE = /[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*|\[(?:\d+|#-\d+)\])*/y;
const NUMBER_RE = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const PUNCT_RE = /<=|>=|!=|[=<>(),]/y;

class FilterSyntaxError extends Error {}

function pathOf(text: string): FieldPath {
  const out: (string | number)[] = [];
  for (const part of text.matchAll(/([A-Za-z_$][\w$]*)|\[(\d+)\]|\[#(-\d+)\]/g)) {
    if (part[1] !== undefined) out.push(part[1]);
    else out.push(Number(part[2] ?? part[3]));
  }
  return out;
}

function readString(src: string, start: number): { value: string; end: number } {
  const quote = src[start];
  let value = "";
  for (let i = start + 1; i < src.length; i++) {
    const ch = src[i];
    if (ch === quote) return { value, end: i + 1 };
    if (ch === "\\" && i + 1 < src.length) {
      i += 1;
      value += src[i];
    } else value += ch;
  }
  throw new FilterSyntaxError(`unterminated string starting at ${start}`);
}

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const sticky = (re: RegExp): string | undefined => {
    re.lastIndex = i;
    return re.exec(src)?.[0];
  };
  while (i < src.length) {
    const ch = src[i] ?? "";
    if (/\s/.test(ch)) {
      i += 1;
      continue;
    }
    if (ch === "'" || ch === '"') {
      const s = readString(src, i);
      tokens.push({ type: "string", value: s.value, at: i });
      i = s.end;
      continue;
    }
    const num = sticky(NUMBER_RE);
    if (num !== undefined) {
      const value = Number(num);
      if (!Number.isFinite(value)) throw new FilterSyntaxError(`number out of range at ${i}`);
      tokens.push({ type: "number", value, at: i });
      i += num.length;
      continue;
    }
    const path = sticky(PATH_RE);
    if (path !== undefined) {
      tokens.push({ type: "path", path: pathOf(path), text: path, at: i });
      i += path.length;
      continue;
    }
    const punct = sticky(PUNCT_RE);
    if (punct === undefined) throw new FilterSyntaxError(`unexpected character '${ch}' at ${i}`);
    tokens.push({ type: "punct", value: punct, at: i });
    i += punct.length;
  }
  tokens.push({ type: "end", at: src.length });
  return tokens;
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.pos] ?? { type: "end", at: -1 };
  }
  private next(): Token {
    const token = this.peek();
    this.pos += 1;
    return token;
  }
  private isKeyword(word: string): boolean {
    const t = this.peek();
    return t.type === "path" && t.text.toLowerCase() === word;
  }
  private eatKeyword(word: string): boolean {
    if (!this.isKeyword(word)) return false;
    this.pos += 1;
    return true;
  }
  private expectKeyword(word: string): void {
    if (!this.eatKeyword(word)) this.fail(`expected ${word.toUpperCase()}`);
  }
  private eatPunct(value: string): boolean {
    const t = this.peek();
    if (t.type !== "punct" || t.value !== value) return false;
    this.pos += 1;
    return true;
  }
  private fail(message: string): never {
    const t = this.peek();
    throw new FilterSyntaxError(`${message} at position ${t.at}`);
  }

  parse(): Filter {
    const filter = this.expr(0);
    if (this.peek().type !== "end") this.fail("unexpected trailing input");
    return filter;
  }

  private expr(depth: number): Filter {
    if (depth > MAX_DEPTH) this.fail("filter nests too deeply");
    const operands = [this.conjunction(depth)];
    while (this.eatKeyword("or")) operands.push(this.conjunction(depth));
    return operands.length === 1 && operands[0] !== undefined ? operands[0] : { kind: "or", operands };
  }

  private conjunction(depth: number): Filter {
    const operands = [this.primary(depth)];
    while (this.eatKeyword("and")) operands.push(this.primary(depth));
    return operands.length === 1 && operands[0] !== undefined ? operands[0] : { kind: "and", operands };
  }

  private primary(depth: number): Filter {
    if (this.eatPunct("(")) {
      const inner = this.expr(depth + 1);
      if (!this.eatPunct(")")) this.fail("expected ')'");
      return inner;
    }
    if (this.eatKeyword("has")) {
      const negated = this.eatKeyword("not");
      this.expectKeyword("field");
      return { kind: "has", negated, path: this.path() };
    }
    const path = this.path();
    const op = this.peek();
    if (op.type === "punct" && ["=", "!=", "<", "<=", ">", ">="].includes(op.value)) {
      this.pos += 1;
      const value = this.literal();
      if (op.value !== "=" && op.value !== "!=" && typeof value !== "number") {
        this.fail(`operator ${op.value} applies to numbers only`);
      }
      return { kind: "compare", op: op.value as CompareOp, path, value };
    }
    const negated = this.eatKeyword("not");
    if (this.eatKeyword("in")) return { kind: "in", negated, path, values: this.list() };
    if (this.eatKeyword("glob")) {
      const pattern = this.literal();
      if (typeof pattern !== "string") this.fail("GLOB needs a string pattern");
      return { kind: "glob", negated, path, pattern };
    }
    if (this.eatKeyword("contains")) return { kind: "contains", negated, path, value: this.literal() };
    return this.fail("expected an operator (=, !=, <, <=, >, >=, IN, GLOB, CONTAINS)");
  }

  private path(): FieldPath {
    const t = this.peek();
    if (t.type !== "path" || KEYWORDS.has(t.text.toLowerCase())) return this.fail("expected a field name");
    this.pos += 1;
    return t.path;
  }

  private literal(): Literal {
    const t = this.next();
    if (t.type === "string" || t.type === "number") return t.value;
    if (t.type === "path" && t.text.toLowerCase() === "true") return true;
    if (t.type === "path" && t.text.toLowerCase() === "false") return false;
    this.pos -= 1;
    return this.fail("expected a string, number or boolean literal");
  }

  private list(): Literal[] {
    if (!this.eatPunct("(")) this.fail("expected '(' after IN");
    const values = [this.literal()];
    while (this.eatPunct(",")) values.push(this.literal());
    if (!this.eatPunct(")")) this.fail("expected ')' to close the IN list");
    return values;
  }
}

/** Parses a non-empty filter string; syntax errors come back as values, never as exceptions. */
export function parseFilter(src: string): FilterParse {
  if (src.length > MAX_FILTER_LENGTH) return { ok: false, error: `filter longer than ${MAX_FILTER_LENGTH} characters` };
  try {
    return { ok: true, filter: new Parser(tokenize(src)).parse() };
  } catch (error) {
    if (error instanceof FilterSyntaxError) return { ok: false, error: `Invalid filter: ${error.message}` };
    throw error;
  }
}
