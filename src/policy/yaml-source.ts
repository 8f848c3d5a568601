import { isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import type { PathSegment, PolicyError } from "./errors";

/** A parsed YAML file that can say on which line a path starts. */
export interface YamlSource {
  file: string;
  data: unknown;
  lineOf(path: readonly PathSegment[]): number | undefined;
}

export type YamlParseResult = { ok: true; source: YamlSource } | { ok: false; errors: PolicyError[] };

interface Ranged {
  range?: [number, number, number] | null;
}

export function parseYamlSource(file: string, text: string): YamlParseResult {
  const lineCounter = new LineCounter();
  // `merge: true` lets admins share settings with `<<: *anchor`; duplicate keys stay errors (uniqueKeys default).
  const doc = parseDocument(text, { lineCounter, merge: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((error) => ({
        file,
        path: "",
        message: `invalid YAML: ${error.message}`,
        line: lineCounter.linePos(error.pos[0]).line,
      })),
    };
  }
  const lineAt = (node: unknown): number | undefined => {
    const range = (node as Ranged | null)?.range;
    return range ? lineCounter.linePos(range[0]).line : undefined;
  };
  const lineOf = (path: readonly PathSegment[]): number | undefined => {
    let node: unknown = doc.contents;
    let line = lineAt(node);
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
        if (pair === undefined) break;
        line = lineAt(pair.key) ?? line;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === "number") {
        const item = node.items[segment];
        if (item === undefined) break;
        line = lineAt(item) ?? line;
        node = item;
      } else {
        break;
      }
    }
    return line;
  };
  // An empty file (or one that is all comments) is an empty policy, not an error.
  return { ok: true, source: { file, data: doc.toJS({ maxAliasCount: 100 }) ?? {}, lineOf } };
}
