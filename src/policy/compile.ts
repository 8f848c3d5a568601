import { type ArtifactSourceFile, loadArtifacts } from "./artifacts";
import { crossCheck } from "./cross-check";
import { formatPolicyError, type PolicyError } from "./errors";
import { mergeFiles, type ParsedFile } from "./merge";
import { normalize } from "./normalize";
import { PolicyFileSchema } from "./schema";
import type { CompiledPolicy } from "./types";
import { parseYamlSource } from "./yaml-source";
import { friendlyMessage, issuesToErrors } from "./zod-issues";

export type { ArtifactSourceFile, PolicyError };
export { formatPolicyError };

export interface PolicySourceFile {
  /** Shown in errors and recorded in `sources`, e.g. `policies/models.yaml`. */
  name: string;
  text: string;
}

export type CompileResult = { ok: true; policy: CompiledPolicy } | { ok: false; errors: PolicyError[] };

/**
 * YAML policy files -> one validated, cross-referenced, hashed policy. Pure: `hash` (hex SHA-256 of a string) is
 * passed in so this runs anywhere; build scripts hand it node:crypto. `artifacts` are the JSON files beside the
 * YAML (learned routers and verifiers); those a route names are checked, bundled and hashed into the version.
 */
export function compilePolicy(
  files: readonly PolicySourceFile[],
  hash: (text: string) => string,
  artifactFiles: readonly ArtifactSourceFile[] = [],
): CompileResult {
  const sorted = [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const errors: PolicyError[] = [];
  const seenNames = new Set<string>();
  const parsed: ParsedFile[] = [];

  for (const file of sorted) {
    if (seenNames.has(file.name)) {
      errors.push({ file: file.name, path: "", message: "file given twice" });
      continue;
    }
    seenNames.add(file.name);
    const yaml = parseYamlSource(file.name, file.text);
    if (!yaml.ok) {
      errors.push(...yaml.errors);
      continue;
    }
    const result = PolicyFileSchema.safeParse(yaml.source.data, { error: friendlyMessage });
    if (!result.success) {
      errors.push(...issuesToErrors(result.error.issues, file.name, PolicyFileSchema, yaml.source.lineOf));
      continue;
    }
    parsed.push({ source: yaml.source, data: result.data });
  }
  if (errors.length > 0) return { ok: false, errors };

  const { merged, errors: mergeErrors } = mergeFiles(parsed);
  if (mergeErrors.length > 0) return { ok: false, errors: mergeErrors };

  const sections = normalize(merged);
  const referenceErrors = crossCheck(merged, sections);
  if (referenceErrors.length > 0) return { ok: false, errors: referenceErrors };

  const { artifacts, used, errors: artifactErrors } = loadArtifacts(merged, sections, artifactFiles);
  if (artifactErrors.length > 0) return { ok: false, errors: artifactErrors };
  const hashed = [...sorted, ...used.map((a) => ({ name: a.name, text: a.text }))];
  return {
    ok: true,
    policy: {
      version: policyVersion(hashed, hash),
      sources: [...sorted.map((f) => f.name), ...used.map((a) => a.name).sort()],
      ...sections,
      ...(used.length === 0 ? {} : { artifacts }),
    },
  };
}

/** `sha256:` + 16 hex digits over names and contents; JSON framing keeps name/content boundaries unambiguous. */
export function policyVersion(files: readonly PolicySourceFile[], hash: (text: string) => string): string {
  const sorted = [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const digest = hash(JSON.stringify(sorted.map((f) => [f.name, f.text])));
  return `sha256:${digest.slice(0, 16).toLowerCase()}`;
}
