/**
 * A script-aware token estimate: each code point weighs what byte-pair tokenizers spend on its script on average.
 * Characters ÷ 4 is right for English and code but undercounts CJK about 2.5×, Thai, Greek, Hebrew and Arabic about
 * 1.5×, and emoji 2×, so length rules never fired for those prompts and streams without usage were under-billed.
 *
 * The weights are fitted to OpenAI's o200k_base (GPT-4o and later) and kept in step with it by a test over a
 * multilingual corpus (test/node/token-estimate/); the tokenizer itself (2.6 MB minified) stays out of the Worker.
 * Other providers' tokenizers differ by script (cl100k and Anthropic's spend more on non-Latin text), which the
 * reservation's margin absorbs. The loop is one pass over code points with no allocation: it runs on every prompt.
 */

/** Thousandths of a token per code point by class (see `classOf`): integers, so long sums stay exact. */
export const TOKEN_WEIGHTS = {
  latin: 200,
  digit: 340,
  space: 250,
  newline: 300,
  punct: 450,
  latinExt: 450,
  cyrillic: 225,
  greek: 340,
  rtl: 350,
  indic: 280,
  thai: 390,
  han: 700,
  kana: 840,
  hangul: 720,
  emoji: 1600,
  joiner: 600,
  other: 600,
} as const;

type TokenClass = keyof typeof TOKEN_WEIGHTS;

export function classOf(cp: number): TokenClass {
  if (cp < 0x80) {
    if ((cp >= 0x61 && cp <= 0x7a) || (cp >= 0x41 && cp <= 0x5a)) return "latin";
    if (cp >= 0x30 && cp <= 0x39) return "digit";
    if (cp === 0x20 || cp === 0x09) return "space";
    if (cp === 0x0a || cp === 0x0d) return "newline";
    return "punct";
  }
  if (cp < 0x0250) return "latinExt";
  if (cp >= 0x0370 && cp < 0x0400) return "greek";
  if (cp >= 0x0400 && cp < 0x0530) return "cyrillic";
  if (cp >= 0x0590 && cp < 0x0800) return "rtl";
  if (cp >= 0x0900 && cp < 0x0e00) return "indic";
  if (cp >= 0x0e00 && cp < 0x0e80) return "thai";
  if (cp >= 0x1e00 && cp < 0x1f00) return "latinExt";
  if (cp >= 0x2000 && cp < 0x2070) return cp === 0x200d ? "joiner" : "punct";
  if (cp >= 0x3040 && cp < 0x3100) return "kana";
  if ((cp >= 0x3000 && cp < 0x3040) || (cp >= 0xff00 && cp < 0xfff0)) return "punct";
  if ((cp >= 0x3400 && cp < 0xa000) || (cp >= 0xf900 && cp < 0xfb00) || (cp >= 0x20000 && cp < 0x32000)) return "han";
  if ((cp >= 0xac00 && cp < 0xd7b0) || (cp >= 0x1100 && cp < 0x1200) || (cp >= 0x3130 && cp < 0x3190)) return "hangul";
  if (cp >= 0xfe00 && cp < 0xfe10) return "joiner";
  if ((cp >= 0x1f000 && cp < 0x1fb00) || (cp >= 0x2600 && cp < 0x27c0) || (cp >= 0x2b00 && cp < 0x2c00)) return "emoji";
  return "other";
}

/** Estimated tokens of `text` in thousandths, unrounded (callers sum several texts and round once: `tokensOf`). */
export function textTokenWeight(text: string): number {
  let total = 0;
  for (const ch of text) total += TOKEN_WEIGHTS[classOf(ch.codePointAt(0) ?? 0)];
  return total;
}

/** Whole tokens of a summed `textTokenWeight`, rounded up. */
export function tokensOf(weight: number): number {
  return Math.ceil(weight / 1000);
}

/** Estimated tokens of `text`, rounded up. */
export function estimateTextTokens(text: string): number {
  return tokensOf(textTokenWeight(text));
}
