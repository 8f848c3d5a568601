import { formatPath, type PathSegment, type PolicyError } from "./errors";
import { POLICY_SECTIONS, type PolicyFile, type PolicySection } from "./schema";
import type { YamlSource } from "./yaml-source";

export type SectionEntry<S extends PolicySection> = NonNullable<PolicyFile[S]>[string];

/** One definition and the file it came from, so later checks can point at the right file and line. */
export interface Entry<T> {
  id: string;
  value: T;
  source: YamlSource;
}

export type Merged = { [S in PolicySection]: Map<string, Entry<SectionEntry<S>>> };

export interface ParsedFile {
  source: YamlSource;
  data: PolicyFile;
}

/** A policy error located at `path` inside the file that defined `entry`. */
export function errorAt(entry: Entry<unknown>, path: readonly PathSegment[], message: string): PolicyError {
  return { file: entry.source.file, path: formatPath(path), message, line: entry.source.lineOf(path) };
}

/** Merges the sections of every file; an id defined twice (in one section, across files) is an error. */
export function mergeFiles(files: readonly ParsedFile[]): { merged: Merged; errors: PolicyError[] } {
  const merged: Merged = {
    providers: new Map(),
    models: new Map(),
    routes: new Map(),
    plans: new Map(),
    tenants: new Map(),
    tools: new Map(),
  };
  const errors: PolicyError[] = [];
  for (const { source, data } of files) {
    for (const section of POLICY_SECTIONS) {
      const target = merged[section] as Map<string, Entry<unknown>>;
      for (const [id, value] of Object.entries(data[section] ?? {})) {
        const entry: Entry<unknown> = { id, value, source };
        const earlier = target.get(id);
        if (earlier !== undefined) {
          const where = `${earlier.source.file}${lineSuffix(earlier, [section, id])}`;
          errors.push(errorAt(entry, [section, id], `"${id}" is already defined in ${where}; ids must be unique`));
          continue;
        }
        target.set(id, entry);
      }
    }
  }
  return { merged, errors };
}

function lineSuffix(entry: Entry<unknown>, path: readonly PathSegment[]): string {
  const line = entry.source.lineOf(path);
  return line === undefined ? "" : `:${line}`;
}
