import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/** One import between two files of `src/`, both given relative to `src/` (e.g. `gateway/chat.ts`). */
export interface ImportEdge {
  from: string;
  to: string;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?["']([^"']+)["']/g;
const DYNAMIC = /import\(\s*["']([^"']+)["']\s*\)/g;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.tsx?$/.test(name) && !name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

function resolveLocal(fromFile: string, spec: string, files: Set<string>): string | undefined {
  if (!spec.startsWith(".")) return undefined;
  const base = resolve(dirname(fromFile), spec);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, "index.ts")]) {
    if (files.has(candidate)) return candidate;
  }
  return undefined;
}

/** Every relative import (static, re-export and dynamic) between files under `root`. */
export function importEdges(root: string): ImportEdge[] {
  const files = sourceFiles(root).map((f) => resolve(f));
  const known = new Set(files);
  const edges: ImportEdge[] = [];
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    for (const pattern of [IMPORT, DYNAMIC]) {
      for (const match of text.matchAll(pattern)) {
        const spec = match[1];
        if (spec === undefined) continue;
        const target = resolveLocal(file, spec, known);
        if (target === undefined) {
          if (spec.startsWith(".") && !spec.endsWith(".json")) throw new Error(`${file}: cannot resolve ${spec}`);
          continue;
        }
        edges.push({ from: relative(root, file), to: relative(root, target) });
      }
    }
  }
  return edges;
}

/** The room of a file: its top folder under `src/`, or the file itself for top-level files (`app.ts`). */
export function roomOf(file: string): string {
  const slash = file.indexOf("/");
  return slash === -1 ? file.replace(/\.tsx?$/, "") : file.slice(0, slash);
}

/** Cycles among files, as the strongly connected components with more than one file (or a self-import). */
export function cycles(edges: ImportEdge[]): string[][] {
  const graph = new Map<string, string[]>();
  for (const e of edges) {
    graph.set(e.from, [...(graph.get(e.from) ?? []), e.to]);
    if (!graph.has(e.to)) graph.set(e.to, []);
  }
  // Tarjan's algorithm, iterative enough for a few hundred files.
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    indices.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) ?? 0, indices.get(w) ?? 0));
      }
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      for (;;) {
        const w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        component.push(w);
        if (w === v) break;
      }
      const selfLoop = edges.some((e) => e.from === v && e.to === v);
      if (component.length > 1 || selfLoop) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!indices.has(v)) visit(v);
  return found;
}

/**
 * Edges from a lower room to a higher one. `layers` lists the rooms from the top (entry) down; rooms on one line
 * share a layer and may not import each other either, except where a room is listed as its own layer.
 */
export function upwardEdges(edges: ImportEdge[], layers: readonly (readonly string[])[]): ImportEdge[] {
  const layerOf = new Map<string, number>();
  layers.forEach((rooms, i) => {
    for (const room of rooms) layerOf.set(room, i);
  });
  const bad: ImportEdge[] = [];
  for (const e of edges) {
    const from = roomOf(e.from);
    const to = roomOf(e.to);
    if (from === to) continue;
    const a = layerOf.get(from);
    const b = layerOf.get(to);
    if (a === undefined) throw new Error(`room ${from} (${e.from}) is in no layer`);
    if (b === undefined) throw new Error(`room ${to} (${e.to}) is in no layer`);
    // A file may import only rooms strictly below its own layer.
    if (b <= a) bad.push(e);
  }
  return bad;
}
