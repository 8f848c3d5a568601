/**
 * Finds a repeated member name in an object of JSON text. JSON.parse keeps the last of two equal names, so
 * `{"city":"Paris","city":"evil.example"}` would validate and run with a value that a reviewer of the first one never
 * saw (and parsers that keep the first disagree with us): such arguments are refused instead. Names compare after
 * unescaping (`"a"` and `"\u0061"` are the same name). Only called on text JSON.parse has accepted.
 *
 * Returns the dotted path of the repeated member (`city`, `stops.0.name`), or undefined.
 */

type Frame =
  | { kind: "object"; path: string; names: Set<string>; expectName: boolean; last: string }
  | { kind: "array"; path: string; index: number };

function child(parent: Frame | undefined): string {
  if (parent === undefined) return "";
  const step = parent.kind === "object" ? parent.last : String(parent.index);
  return parent.path === "" ? step : `${parent.path}.${step}`;
}

/** Index just past the string token starting at `start` (a `"`). */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const ch = text.charCodeAt(i);
    if (ch === 0x5c) i += 2;
    else if (ch === 0x22) return i + 1;
    else i++;
  }
  return text.length;
}

export function duplicateKeyPath(text: string): string | undefined {
  const stack: Frame[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    const top = stack.at(-1);
    if (ch === '"') {
      const end = stringEnd(text, i);
      if (top?.kind === "object" && top.expectName) {
        const name = JSON.parse(text.slice(i, end)) as string;
        if (top.names.has(name)) return top.path === "" ? name : `${top.path}.${name}`;
        top.names.add(name);
        top.last = name;
        top.expectName = false;
      }
      i = end;
      continue;
    }
    if (ch === "{") stack.push({ kind: "object", path: child(top), names: new Set(), expectName: true, last: "" });
    else if (ch === "[") stack.push({ kind: "array", path: child(top), index: 0 });
    else if (ch === "}" || ch === "]") stack.pop();
    else if (ch === ",") {
      if (top?.kind === "object") top.expectName = true;
      else if (top?.kind === "array") top.index++;
    }
    i++;
  }
  return undefined;
}
