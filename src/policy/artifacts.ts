import type { RouterArtifact, VerifierArtifact } from "./artifact-types";
import type { PolicyError } from "./errors";
import { errorAt, type Merged } from "./merge";
import type { CompiledSections } from "./normalize";
import { parseRouterArtifact, parseVerifierArtifact } from "./schema-artifact";
import type { EmbedderConfig } from "./types";

/** A JSON file beside the YAML (router or verifier weights), by its path relative to the policies directory. */
export interface ArtifactSourceFile {
  /** As routes name it: `routers/auto.json`. */
  path: string;
  /** As errors show it: `policies/routers/auto.json`. */
  name: string;
  text: string;
}

export interface ArtifactResult {
  artifacts: Record<string, RouterArtifact | VerifierArtifact>;
  /** The files the routes name, for the policy version (their content changes the version). */
  used: ArtifactSourceFile[];
  errors: PolicyError[];
}

function describeEmbedder(e: EmbedderConfig | undefined): string {
  if (e === undefined) return "none";
  return e.kind === "model" ? `{ model: ${e.model} }` : `{ workers_ai: "${e.model}" }`;
}

/** The upstream model names vectors of `embedder` come from (every target of an alias; the Workers AI model). */
function embedderModels(embedder: EmbedderConfig, sections: CompiledSections): string[] {
  if (embedder.kind === "workers-ai") return [embedder.model];
  return (sections.models[embedder.model]?.targets ?? []).map((t) => t.model);
}

/**
 * Loads and checks every artifact a route names: the file exists and parses (shape, feature names, array sizes),
 * is the kind the field expects, and was trained in the embedding space the route's `cache.embedder` produces,
 * since the router reuses the cache's prompt embedding.
 */
export function loadArtifacts(
  merged: Merged,
  sections: CompiledSections,
  files: readonly ArtifactSourceFile[],
): ArtifactResult {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const artifacts: ArtifactResult["artifacts"] = {};
  const used = new Map<string, ArtifactSourceFile>();
  const errors: PolicyError[] = [];
  for (const entry of merged.routes.values()) {
    const router = sections.routes[entry.id]?.router;
    if (router === undefined) continue;
    const embedder = sections.routes[entry.id]?.cache.embedder;
    for (const field of ["artifact", "verifier"] as const) {
      const path = router[field];
      if (path === undefined) continue;
      const at = ["routes", entry.id, "router", field];
      const file = byPath.get(path);
      if (file === undefined) {
        errors.push(errorAt(entry, at, `no file "${path}" in the policies directory`));
        continue;
      }
      const parsed = field === "artifact" ? parseRouterArtifact(file.text) : parseVerifierArtifact(file.text);
      if (!parsed.ok) {
        for (const problem of parsed.problems) errors.push({ file: file.name, path: "", message: problem });
        errors.push(
          errorAt(
            entry,
            at,
            `"${path}" is not a valid ${field === "artifact" ? "router" : "verifier"} artifact (see above)`,
          ),
        );
        continue;
      }
      const artifact = parsed.artifact;
      if (artifact.features.embedding) {
        const trained = artifact.embedder.model;
        const models = embedder === undefined ? [] : embedderModels(embedder, sections);
        if (models.length === 0 || models.some((m) => m !== trained)) {
          errors.push(
            errorAt(
              entry,
              at,
              `"${path}" was trained on embeddings of "${trained}" (${artifact.embedder.dims}-d), but the route's ` +
                `cache.embedder is ${describeEmbedder(embedder)}${models.length > 0 ? ` (serving "${models.join('", "')}")` : ""}; ` +
                "the router reuses the cache's prompt embedding, so they must be the same model (retrain with it)",
            ),
          );
          continue;
        }
      }
      artifacts[path] = artifact;
      used.set(path, file);
    }
  }
  return { artifacts, used: [...used.values()], errors };
}
