import type { PathSegment, PolicyError } from "./errors";
import { type Entry, errorAt, type Merged } from "./merge";
import type { CompiledSections } from "./normalize";
import type { EmbedderValue } from "./schema-cache";
import { unknown } from "./suggest";

/**
 * References made by tools and cache settings: tool names listed by plans and tenants, embedder aliases, and that a
 * semantic cache switched on anywhere has an embedder wherever it applies. Also: a credit hold must outlive a tool
 * loop, which keeps one request running for up to `tool_loop.max_wall_ms`.
 */
export function crossCheckToolsAndCache(merged: Merged, compiled: CompiledSections): PolicyError[] {
  const errors: PolicyError[] = [];
  const report = (entry: Entry<unknown>, path: PathSegment[], message: string) =>
    errors.push(errorAt(entry, path, message));

  const checkEmbedder = (entry: Entry<unknown>, base: PathSegment[], embedder: EmbedderValue | undefined) => {
    const alias = embedder?.model;
    if (alias === undefined) return;
    const path = [...base, "embedder", "model"];
    const model = merged.models.get(alias);
    if (model === undefined) report(entry, path, unknown("model", alias, merged.models.keys()));
    else if (model.value.kind !== "embeddings") {
      const embeddings = [...merged.models.values()].filter((m) => m.value.kind === "embeddings").map((m) => m.id);
      const known = embeddings.length === 0 ? "none is defined" : `embeddings models: ${embeddings.join(", ")}`;
      report(
        entry,
        path,
        `"${alias}" is a ${model.value.kind} model; an embedder must be an embeddings model (${known})`,
      );
    }
  };
  const checkTools = (entry: Entry<unknown>, base: PathSegment[], tools: readonly string[] | undefined) => {
    (tools ?? []).forEach((tool, index) => {
      if (!merged.tools.has(tool)) report(entry, [...base, "tools", index], unknown("tool", tool, merged.tools.keys()));
    });
  };

  for (const entry of merged.routes.values())
    checkEmbedder(entry, ["routes", entry.id, "cache"], entry.value.cache.embedder);
  for (const entry of merged.plans.values()) {
    checkTools(entry, ["plans", entry.id], entry.value.tools);
    checkEmbedder(entry, ["plans", entry.id, "cache"], entry.value.cache?.embedder);
  }
  for (const entry of merged.tenants.values()) {
    const base = ["tenants", entry.id];
    checkTools(entry, base, entry.value.tools);
    checkEmbedder(entry, [...base, "cache"], entry.value.cache?.embedder);
    const tenant = compiled.tenants[entry.id];
    if (tenant === undefined) continue;
    const plan = entry.value.plan;
    // Where a setting came from: the tenant's own field (pointed at), else its plan (named in the message).
    const origin = (own: boolean) => (own ? "" : ` (from plan "${plan}")`);
    const at = (own: boolean, path: PathSegment[]) => (own ? [...base, ...path] : base);
    const ownSemantic = entry.value.cache?.semantic !== undefined;
    const ownWall = entry.value.tool_loop?.max_wall_ms !== undefined;

    if (tenant.cache.semantic === true && tenant.cache.embedder === undefined) {
      const bare = tenant.routes.filter((name) => compiled.routes[name]?.cache.embedder === undefined);
      if (bare.length > 0) {
        report(
          entry,
          at(ownSemantic, ["cache", "semantic"]),
          `cache.semantic is on${origin(ownSemantic)}, but route${bare.length === 1 ? "" : "s"} ${bare.map((r) => `"${r}"`).join(", ")} ha${bare.length === 1 ? "s" : "ve"} no embedder; set cache.embedder on the tenant (or plan), or on every route`,
        );
      }
    }

    const holdMs = tenant.credits.hold_ttl_s * 1000;
    if (tenant.tools.length > 0 && holdMs <= tenant.tool_loop.max_wall_ms) {
      report(
        entry,
        at(ownWall, ["tool_loop", "max_wall_ms"]),
        `tool_loop.max_wall_ms is ${tenant.tool_loop.max_wall_ms}${origin(ownWall)}, not below credits.hold_ttl_s ${tenant.credits.hold_ttl_s}s: a hold could expire while the tool loop still runs; lower max_wall_ms or raise hold_ttl_s`,
      );
    }
  }
  return errors;
}
