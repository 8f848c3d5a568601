/**
 * Deterministic signals in a cheap answer to a word problem, beyond re-computing its arithmetic: whether the numbers
 * it computes with come from somewhere (the question, an earlier result, a unit constant), whether it uses the
 * question's quantities, whether it ends on a marked final answer that its reasoning supports, and whether it was
 * cut off. Each is cheap (a few regex passes) and general: nothing here knows a data set.
 */
import { type ArithmeticClaim, arithmeticClaims } from "./arithmetic";
import { canonicalNumber, digitNumbers, statedQuantities } from "./quantities";

/**
 * Numbers a solution may use without the question stating them: small counts, and the unit conversions word
 * problems lean on (dozen, days, hours, minutes, weeks, months, percent, thousands).
 */
const CONSTANTS = new Set([
  "0",
  "1",
  "2",
  "3",
  "4",
  "5",
  "6",
  "7",
  "8",
  "9",
  "10",
  "12",
  "24",
  "30",
  "52",
  "60",
  "100",
  "365",
  "1000",
]);

const MARKER = /(?:####|answer is:?)\s*\$?\s*(-?\d[\d,]*(?:\.\d+)?)/i;
const STATED_RESULT = /=\s*\$?\s*(-?\d[\d,]*(?:\.\d+)?)/g;
const ALGEBRA = /\blet\s+[a-z]\b|\b[a-z]\s*=\s*\d|\bequation\b|\bsolve for\b|\bvariable\b/i;

export interface AnswerSignals {
  claims: ArithmeticClaim[];
  /** Operands of the checked arithmetic, and how many of them come from nowhere. */
  operands: number;
  ungrounded: number;
  /** The question's quantities (digits and number words, distinct) and how many the answer never mentions. */
  promptQuantities: number;
  unusedQuantities: number;
  /** The number after a `####` / "answer is" marker, when the answer has one. */
  marked: string | undefined;
  /** A marked final answer that appears nowhere before the marker. */
  finalUnsupported: boolean;
  /** An unclosed `<<` calculator annotation, or an answer without a marker that stops mid-sentence. */
  truncated: boolean;
  /**
   * The text ends inside a calculator annotation (`… = <<3*`): unambiguous, so a deterministic check. A sentence
   * left open is only a feature: chat answers (lists, code) often end without punctuation.
   */
  cutInAnnotation: boolean;
  algebra: boolean;
  /** Every number of the question is an integer. */
  integerPrompt: boolean;
}

function groundedSet(prompt: string, answer: string, claims: readonly ArithmeticClaim[]): Set<string> {
  const grounded = new Set(CONSTANTS);
  for (const q of statedQuantities(prompt)) {
    const n = Number(q);
    grounded.add(q);
    // A percentage is used as itself, as a fraction (15% → 0.15) or as its complement (15% off → 0.85, 85).
    grounded.add(String(n / 100));
    if (n > 0 && n < 100) {
      grounded.add(String(100 - n));
      grounded.add(String((100 - n) / 100));
    }
  }
  for (const c of claims) {
    grounded.add(String(c.stated));
    grounded.add(String(c.value));
  }
  STATED_RESULT.lastIndex = 0;
  for (let m = STATED_RESULT.exec(answer); m !== null; m = STATED_RESULT.exec(answer)) {
    grounded.add(canonicalNumber(m[1] ?? ""));
  }
  return grounded;
}

const OPEN_ANNOTATION = /<<[\d.,+\-*/()=\s]*$/;

function isTruncated(answer: string, marked: boolean): boolean {
  if (OPEN_ANNOTATION.test(answer)) return true;
  if (marked) return false;
  const end = answer.trimEnd();
  return end !== "" && !/[.!?)\]"'*\d%$]$/.test(end);
}

export function answerSignals(prompt: string, answer: string): AnswerSignals {
  const claims = arithmeticClaims(answer);
  const grounded = groundedSet(prompt, answer, claims);
  let operands = 0;
  let ungrounded = 0;
  for (const c of claims) {
    for (const n of digitNumbers(c.expression)) {
      operands++;
      if (!grounded.has(n.replace(/^-/, ""))) ungrounded++;
    }
  }
  const asked = new Set(statedQuantities(prompt));
  const said = new Set(statedQuantities(answer));
  let unused = 0;
  for (const q of asked) if (!said.has(q)) unused++;
  const marker = MARKER.exec(answer);
  const marked = marker?.[1] === undefined ? undefined : canonicalNumber(marker[1]);
  const before = marker === null ? answer : answer.slice(0, marker.index);
  const promptDigits = digitNumbers(prompt);
  return {
    claims,
    operands,
    ungrounded,
    promptQuantities: asked.size,
    unusedQuantities: unused,
    marked,
    finalUnsupported: marked !== undefined && !digitNumbers(before).includes(marked),
    truncated: isTruncated(answer, marker !== null),
    cutInAnnotation: OPEN_ANNOTATION.test(answer),
    algebra: ALGEBRA.test(answer),
    integerPrompt: promptDigits.every((n) => Number.isInteger(Number(n))),
  };
}
