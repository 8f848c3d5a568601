/**
 * Checks the arithmetic a model wrote down: every `<expression> = <number>` whose left side is plain arithmetic
 * (numbers, + - * / × ÷, parentheses) is evaluated and compared with the number the model wrote. A wrong step is a
 * strong sign the final answer is wrong, and costs microseconds to see. No `eval`: a tiny recursive-descent parser.
 */

export interface ArithmeticCheck {
  /** Equations that could be evaluated. */
  checked: number;
  /** Of those, how many state a result that is not their left side's value. */
  wrong: number;
  /** The result the last checked equation states. */
  lastResult?: number;
}

// An arithmetic expression followed by `=` and a number; the expression must contain an operator.
const EQUATION =
  /([\d.,$%()\s]*\d[\d.,$%()\s]*(?:[-+*/×÷x][\d.,$%()\s]+)+)=\s*\$?\s*(-?\d[\d,]*(?:\.\d+)?)(?!\s*[-+*/×÷x(]\s*\$?\s*[\d(])(?!\d|\.\d|,\d)/g;

const OPERATOR_BEFORE = /[-+*/×÷^(]\s*$/;

type Parsed = { value: number; rest: string } | undefined;

function number(s: string): Parsed {
  const m = /^\s*(\d+(?:\.\d+)?)/.exec(s);
  if (m === null || m[1] === undefined) return undefined;
  return { value: Number(m[1]), rest: s.slice(m[0].length) };
}

function factor(s: string): Parsed {
  const t = s.trimStart();
  if (t.startsWith("(")) {
    const inner = expression(t.slice(1));
    if (inner === undefined) return undefined;
    const after = inner.rest.trimStart();
    return after.startsWith(")") ? { value: inner.value, rest: after.slice(1) } : undefined;
  }
  if (t.startsWith("-")) {
    const f = factor(t.slice(1));
    return f === undefined ? undefined : { value: -f.value, rest: f.rest };
  }
  return number(t);
}

function term(s: string): Parsed {
  let left = factor(s);
  while (left !== undefined) {
    const t = left.rest.trimStart();
    const op = t[0];
    if (op !== "*" && op !== "/" && op !== "×" && op !== "÷" && op !== "x") return left;
    const right = factor(t.slice(1));
    if (right === undefined) return undefined;
    left = { value: op === "/" || op === "÷" ? left.value / right.value : left.value * right.value, rest: right.rest };
  }
  return left;
}

function expression(s: string): Parsed {
  let left = term(s);
  while (left !== undefined) {
    const t = left.rest.trimStart();
    const op = t[0];
    if (op !== "+" && op !== "-") return left;
    const right = term(t.slice(1));
    if (right === undefined) return undefined;
    left = { value: op === "+" ? left.value + right.value : left.value - right.value, rest: right.rest };
  }
  return left;
}

/** Value of a plain arithmetic expression, or undefined when it is not one. Currency, % and thousands commas drop. */
export function evaluateArithmetic(text: string): number | undefined {
  // A left side may start at the comma or full stop that ends the words before it.
  const cleaned = text
    .replace(/^[\s,.]+/, "")
    .replace(/(\d),(\d{3})/g, "$1$2")
    .replace(/[$%]/g, "");
  const parsed = expression(cleaned);
  if (parsed === undefined || parsed.rest.trim() !== "" || !Number.isFinite(parsed.value)) return undefined;
  return parsed.value;
}

function close(a: number, b: number): boolean {
  // Models round: accept the stated result when it matches to 2 decimals or within 1%.
  return Math.abs(a - b) < 0.01 || Math.abs(a - b) <= 0.01 * Math.max(Math.abs(a), Math.abs(b));
}

/** One `<expression> = <number>` the text states: where it starts, its left side, its value and the stated result. */
export interface ArithmeticClaim {
  at: number;
  expression: string;
  value: number;
  stated: number;
  wrong: boolean;
}

/** Every claim whose left side is plain arithmetic, in order. */
export function arithmeticClaims(text: string): ArithmeticClaim[] {
  const claims: ArithmeticClaim[] = [];
  EQUATION.lastIndex = 0;
  for (let m = EQUATION.exec(text); m !== null; m = EQUATION.exec(text)) {
    // A match that starts mid-expression (`300/(600 + 300) = 0.5` seen from `(`) is not a whole left side.
    if (OPERATOR_BEFORE.test(text.slice(Math.max(0, m.index - 3), m.index))) continue;
    const expression = m[1] ?? "";
    const value = evaluateArithmetic(expression);
    const stated = Number((m[2] ?? "").replace(/,/g, ""));
    if (value === undefined || !Number.isFinite(stated)) continue;
    // `25% * 80` is written for 20 and, by some, for 2000 (the sign as a unit): either reading is not a mistake.
    const asFraction = expression.includes("%")
      ? evaluateArithmetic(expression.replace(/(\d+(?:\.\d+)?)\s*%/g, "($1/100)"))
      : undefined;
    const wrong = !close(value, stated) && (asFraction === undefined || !close(asFraction, stated));
    claims.push({ at: m.index, expression, value, stated, wrong });
  }
  return claims;
}

export function checkArithmetic(text: string): ArithmeticCheck {
  const claims = arithmeticClaims(text);
  const wrong = claims.filter((c) => c.wrong).length;
  const last = claims[claims.length - 1];
  return last === undefined ? { checked: 0, wrong } : { checked: claims.length, wrong, lastResult: last.stated };
}
