/**
 * Which writing system a prompt is in, for the semantic cache's representability guard (representable.ts). An
 * embedder with an English vocabulary (USE-lite here) maps text it has no tokens for to nearly the same vector:
 * unrelated Chinese, Japanese or Thai questions came out at cosine 1.0000. A cheap script profile of the letters is
 * enough to know when the embedding cannot be trusted.
 */

export type Script =
  | "latin"
  | "cyrillic"
  | "greek"
  | "han"
  | "kana"
  | "hangul"
  | "thai"
  | "arabic"
  | "hebrew"
  | "devanagari"
  | "other";

const SCRIPTS: readonly (readonly [Script, RegExp])[] = [
  ["latin", /\p{Script=Latin}/u],
  ["cyrillic", /\p{Script=Cyrillic}/u],
  ["greek", /\p{Script=Greek}/u],
  ["han", /\p{Script=Han}/u],
  ["kana", /[\p{Script=Hiragana}\p{Script=Katakana}]/u],
  ["hangul", /\p{Script=Hangul}/u],
  ["thai", /\p{Script=Thai}/u],
  ["arabic", /\p{Script=Arabic}/u],
  ["hebrew", /\p{Script=Hebrew}/u],
  ["devanagari", /\p{Script=Devanagari}/u],
];

const LETTER = /\p{L}/u;

export interface ScriptProfile {
  /** The script most of the letters are in; undefined for text without letters. Kana counts with Han (Japanese). */
  dominant: Script | undefined;
  /** Share of letters outside the Latin script, 0..1 (0 without letters). */
  nonLatinShare: number;
}

function scriptOf(ch: string): Script {
  for (const [name, re] of SCRIPTS) if (re.test(ch)) return name;
  return "other";
}

export function scriptProfile(text: string): ScriptProfile {
  const counts = new Map<Script, number>();
  let letters = 0;
  let latin = 0;
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    // ASCII fast path: nearly every prompt is mostly ASCII.
    if (code < 0x80) {
      if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) {
        letters++;
        latin++;
      }
      continue;
    }
    if (!LETTER.test(ch)) continue;
    letters++;
    const script = scriptOf(ch);
    if (script === "latin") latin++;
    // Japanese mixes kanji and kana: one writing system for this purpose.
    const key = script === "kana" ? "han" : script;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  if (letters === 0) return { dominant: undefined, nonLatinShare: 0 };
  counts.set("latin", latin);
  let dominant: Script | undefined;
  let best = 0;
  for (const [script, n] of counts) {
    if (n > best) {
      best = n;
      dominant = script;
    }
  }
  return { dominant, nonLatinShare: (letters - latin) / letters };
}
