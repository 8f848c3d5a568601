import { crossCheckTenants } from "./cross-check-tenants";
import { crossCheckToolsAndCache } from "./cross-check-tools";
import type { PathSegment, PolicyError } from "./errors";
import { type Entry, errorAt, type Merged } from "./merge";
import type { CompiledSections } from "./normalize";
import { PROVIDER_TYPES } from "./provider-types";
import { unknown } from "./suggest";

const article = (kind: string) => (kind === "embeddings" ? "an embeddings" : `a ${kind}`);

function where(entry: Entry<unknown>, path: PathSegment[]): string {
  const line = entry.source.lineOf(path);
  return line === undefined ? entry.source.file : `${entry.source.file}:${line}`;
}

/** Every reference between sections, checked after merging so a reference may point into another file. */
export function crossCheck(merged: Merged, compiled: CompiledSections): PolicyError[] {
  const errors: PolicyError[] = [];
  const report = (entry: Entry<unknown>, path: PathSegment[], message: string) =>
    errors.push(errorAt(entry, path, message));
  const kindOf = (alias: string) => compiled.models[alias]?.kind;

  for (const entry of merged.models.values()) {
    entry.value.targets.forEach((target, index) => {
      if (!merged.providers.has(target.provider)) {
        report(
          entry,
          ["models", entry.id, "targets", index, "provider"],
          unknown("provider", target.provider, merged.providers.keys()),
        );
      }
    });
  }

  for (const entry of merged.routes.values()) {
    const base = ["routes", entry.id];
    const route = compiled.routes[entry.id];
    if (route === undefined) continue;
    const clash = merged.models.get(entry.id);
    if (clash !== undefined) {
      report(
        entry,
        base,
        `"${entry.id}" is also a model alias (${where(clash, ["models", clash.id])}); a request's model may name either, so route names and aliases must differ`,
      );
    }
    route.models.forEach((alias, index) => {
      if (!merged.models.has(alias))
        report(entry, [...base, "models", index], unknown("model", alias, merged.models.keys()));
    });
    const hasChat = route.models.some((alias) => kindOf(alias) === "chat");
    if (hasChat && kindOf(route.default_model) === "embeddings") {
      const path = entry.value.default_model === undefined ? [...base, "models", 0] : [...base, "default_model"];
      report(
        entry,
        path,
        `the default model "${route.default_model}" is an embeddings model, but requests naming the route are chat requests; list a chat model first or set default_model`,
      );
    }
    route.rules.forEach((rule, index) => {
      if (kindOf(rule.use) === "embeddings") {
        report(entry, [...base, "rules", index, "use"], `"${rule.use}" is an embeddings model; rules pick chat models`);
      }
      (rule.when.plans ?? []).forEach((plan, planIndex) => {
        if (!merged.plans.has(plan)) {
          report(
            entry,
            [...base, "rules", index, "when", "plans", planIndex],
            unknown("plan", plan, merged.plans.keys()),
          );
        }
      });
    });
    for (const [alias, fallbacks] of Object.entries(route.model_fallbacks)) {
      const kind = kindOf(alias);
      fallbacks.forEach((fallback, index) => {
        const fallbackKind = kindOf(fallback);
        if (kind !== undefined && fallbackKind !== undefined && kind !== fallbackKind) {
          report(
            entry,
            [...base, "model_fallbacks", alias, index],
            `"${fallback}" is ${article(fallbackKind)} model and cannot stand in for the ${kind} model "${alias}"`,
          );
        }
      });
    }
  }

  for (const entry of merged.routes.values()) {
    const route = compiled.routes[entry.id];
    if (route?.batch?.via !== "provider") continue;
    const target = compiled.models[route.models[0] ?? ""]?.targets[0];
    const type = target === undefined ? undefined : merged.providers.get(target.provider)?.value.type;
    if (type !== undefined && !("batchApi" in PROVIDER_TYPES[type])) {
      report(
        entry,
        ["routes", entry.id, "batch", "via"],
        `batches go to the first target of the route's first model, provider "${target?.provider}" of type "${type}", which has no batch API of its own; use via: gateway`,
      );
    }
  }

  for (const entry of merged.plans.values()) {
    entry.value.routes.forEach((route, index) => {
      if (!merged.routes.has(route))
        report(entry, ["plans", entry.id, "routes", index], unknown("route", route, merged.routes.keys()));
    });
  }

  for (const entry of merged.tenants.values()) {
    if (!merged.plans.has(entry.value.plan)) {
      report(entry, ["tenants", entry.id, "plan"], unknown("plan", entry.value.plan, merged.plans.keys()));
    }
    (entry.value.routes ?? []).forEach((route, index) => {
      if (!merged.routes.has(route))
        report(entry, ["tenants", entry.id, "routes", index], unknown("route", route, merged.routes.keys()));
    });
  }
  errors.push(...crossCheckTenants(merged, compiled));
  errors.push(...crossCheckToolsAndCache(merged, compiled));
  return errors;
}
