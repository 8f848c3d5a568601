import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { cycles, importEdges, upwardEdges } from "../../../scripts/architecture/import-graph";
import { LAYERS } from "../../../scripts/architecture/layers";

const SRC = resolve(__dirname, "../../../src");
const show = (edges: { from: string; to: string }[]) => edges.map((e) => `${e.from} -> ${e.to}`);

describe("the import graph of src/", () => {
  const edges = importEdges(SRC);

  it("reads the imports it checks", () => {
    // A parser that found nothing would pass every rule below.
    expect(edges.length).toBeGreaterThan(300);
    expect(edges).toContainEqual({ from: "app.ts", to: "context.ts" });
  });

  it("has no cycle", () => {
    expect(cycles(edges)).toEqual([]);
  });

  it("has no import from a lower room to a higher one (README's room order)", () => {
    expect(show(upwardEdges(edges, LAYERS))).toEqual([]);
  });
});

/** A throwaway `src/` with the given files (path -> source). */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "import-graph-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe("the checks can fail", () => {
  const layers = [["app"], ["gateway"], ["streaming"]];

  it("finds a cycle, through type-only imports and re-exports too", () => {
    const root = tree({
      "gateway/a.ts": 'import type { B } from "./b";\nexport type A = B;',
      "gateway/b.ts": 'export { c } from "./c";\nexport type B = string;',
      "gateway/c.ts": 'import { a } from "./a";\nexport const c = 1;',
    });
    expect(cycles(importEdges(root))).toEqual([["gateway/a.ts", "gateway/b.ts", "gateway/c.ts"]]);
  });

  it("finds an upward edge and a room missing from the order", () => {
    const root = tree({
      "app.ts": 'import { run } from "./gateway";\nexport const app = run;',
      "gateway/index.ts": 'import { pump } from "../streaming/pump";\nexport const run = pump;',
      "streaming/pump.ts": 'import type { Start } from "../gateway/start";\nexport const pump = 1;',
      "gateway/start.ts": "export type Start = number;",
    });
    const edges = importEdges(root);
    expect(show(upwardEdges(edges, layers))).toEqual(["streaming/pump.ts -> gateway/start.ts"]);
    expect(() => upwardEdges(edges, [["app"], ["gateway"]])).toThrow(/room streaming/);
  });

  it("refuses an import it cannot resolve rather than skipping it", () => {
    const root = tree({ "gateway/a.ts": 'import { b } from "./missing";\nexport const a = b;' });
    expect(() => importEdges(root)).toThrow(/cannot resolve \.\/missing/);
  });
});
