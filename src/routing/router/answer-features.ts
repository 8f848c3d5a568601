/**
 * Features of a cheap model's answer, for the verifier (is the cheap answer right?). Shared by training and the
 * Worker, like the router's lexical features. All computed from the answer text (and the prompt's), in microseconds.
 */
import { ANSWER_FEATURES, type AnswerFeature } from "../../policy/artifact-types";
import { type AnswerSignals, answerSignals } from "./answer-signals";

export { ANSWER_FEATURES, type AnswerFeature };

export interface AnswerFacts {
  prompt: string;
  answer: string;
  /** The upstream's finish reason (`stop`, `length`, ...), when known. */
  finishReason?: string;
}

export function isAnswerFeature(name: string): name is AnswerFeature {
  return (ANSWER_FEATURES as readonly string[]).includes(name);
}

const NUMBER = /-?\d[\d,]*(?:\.\d+)?/g;
const HEDGE =
  /\b(?:however|assum\w*|approximately|unclear|not enough information|cannot be determined|re-?evaluate|mistake|actually|wait)\b/gi;

function numbersIn(text: string): string[] {
  return (text.match(NUMBER) ?? []).map((n) => n.replace(/,/g, ""));
}

/** The number the answer ends on: after a `####` / "answer is" marker when present, else the last number written. */
export function finalNumber(answer: string): string | undefined {
  const marked = /(?:####|answer is:?)\s*\$?\s*(-?\d[\d,]*(?:\.\d+)?)/i.exec(answer);
  if (marked?.[1] !== undefined) return marked[1].replace(/,/g, "");
  const all = numbersIn(answer);
  return all[all.length - 1];
}

function count(text: string, pattern: RegExp): number {
  pattern.lastIndex = 0;
  return text.match(pattern)?.length ?? 0;
}

interface Derived {
  arithmetic: { checked: number; wrong: number; lastResult?: number };
  signals: AnswerSignals;
  final: string | undefined;
  promptNumbers: string[];
  answerNumbers: number;
  answerSet: Set<string>;
}

const COMPUTE: Record<AnswerFeature, (f: AnswerFacts, d: Derived) => number> = {
  answer_log_chars: (f) => Math.log1p(f.answer.length),
  answer_to_prompt: (f) => Math.log((f.answer.length + 1) / (f.prompt.length + 1)),
  answer_log_numbers: (_, d) => Math.log1p(d.answerNumbers),
  arithmetic_checked: (_, d) => Math.log1p(d.arithmetic.checked),
  arithmetic_wrong: (_, d) => Math.min(1, d.arithmetic.wrong),
  final_number: (_, d) => (d.final === undefined ? 0 : 1),
  final_fraction: (_, d) => (d.final !== undefined && !Number.isInteger(Number(d.final)) ? 1 : 0),
  final_in_prompt: (_, d) => (d.final !== undefined && d.promptNumbers.includes(d.final) ? 1 : 0),
  hedges: (f) => Math.log1p(count(f.answer, HEDGE)),
  prompt_log_numbers: (_, d) => Math.log1p(d.promptNumbers.length),
  prompt_numbers_unused: (_, d) =>
    d.promptNumbers.length === 0
      ? 0
      : d.promptNumbers.filter((n) => !d.answerSet.has(n)).length / d.promptNumbers.length,
  final_log_magnitude: (_, d) => (d.final === undefined ? 0 : Math.log1p(Math.abs(Number(d.final)) || 0)),
  final_negative: (_, d) => (d.final !== undefined && Number(d.final) < 0 ? 1 : 0),
  final_is_last_result: (_, d) =>
    d.final !== undefined && d.arithmetic.lastResult !== undefined && Number(d.final) === d.arithmetic.lastResult
      ? 1
      : 0,
  steps_per_prompt_number: (_, d) => d.arithmetic.checked / (1 + d.promptNumbers.length),
  operands_ungrounded: (_, d) => (d.signals.operands === 0 ? 0 : d.signals.ungrounded / d.signals.operands),
  operands_ungrounded_any: (_, d) => Math.min(1, d.signals.ungrounded),
  quantities_unused: (_, d) =>
    d.signals.promptQuantities === 0 ? 0 : d.signals.unusedQuantities / d.signals.promptQuantities,
  final_marked: (_, d) => (d.signals.marked === undefined ? 0 : 1),
  final_unsupported: (_, d) => (d.signals.finalUnsupported ? 1 : 0),
  truncated: (_, d) => (d.signals.truncated ? 1 : 0),
  algebra: (_, d) => (d.signals.algebra ? 1 : 0),
  final_fraction_integer_prompt: (_, d) =>
    d.signals.integerPrompt && d.final !== undefined && !Number.isInteger(Number(d.final)) ? 1 : 0,
};

export function answerFeatures(facts: AnswerFacts, names: readonly AnswerFeature[]): number[] {
  const answerNumbers = numbersIn(facts.answer);
  const signals = answerSignals(facts.prompt, facts.answer);
  const last = signals.claims[signals.claims.length - 1];
  const d: Derived = {
    arithmetic: {
      checked: signals.claims.length,
      wrong: signals.claims.filter((c) => c.wrong).length,
      ...(last === undefined ? {} : { lastResult: last.stated }),
    },
    signals,
    final: finalNumber(facts.answer),
    promptNumbers: numbersIn(facts.prompt),
    answerNumbers: answerNumbers.length,
    answerSet: new Set(answerNumbers),
  };
  return names.map((name) => COMPUTE[name](facts, d));
}
