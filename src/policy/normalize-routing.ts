import type { SectionEntry } from "./merge";
import type { CascadeConfig, LoadLevels, OriginLoadConfig, RouteConfig } from "./types";

type RouteValue = SectionEntry<"routes">;
type LoadValue = NonNullable<SectionEntry<"providers">["load"]>;

function levels(value: LoadValue["spill_at"]): LoadLevels {
  const out: LoadLevels = {};
  for (const key of ["waiting", "running", "kv_cache_usage", "in_flight", "ttft_ms"] as const) {
    const level = value[key];
    if (level !== undefined) out[key] = level;
  }
  return out;
}

export function originLoad(value: LoadValue): OriginLoadConfig {
  return {
    ...(value.metrics === undefined ? {} : { metrics: value.metrics }),
    stale_ms: value.stale_ms,
    ttft_half_life_ms: value.ttft_half_life_ms,
    spill_at: levels(value.spill_at),
    resume_at: levels(value.resume_at),
  };
}

function cascade(value: NonNullable<RouteValue["cascade"]>): CascadeConfig {
  const { logprobs, verifier, ...rest } = value;
  const out: CascadeConfig = { ...rest };
  if (logprobs !== undefined) {
    out.logprobs = {
      ...(logprobs.mean_below === undefined ? {} : { mean_below: logprobs.mean_below }),
      ...(logprobs.min_below === undefined ? {} : { min_below: logprobs.min_below }),
    };
  }
  if (verifier !== undefined) out.verifier = verifier.below === undefined ? {} : { below: verifier.below };
  return out;
}

/** The route's tier options, only those the file sets (absent stays absent: the runtime reads presence as "on"). */
export function routeTiering(value: RouteValue): Pick<RouteConfig, "tiers" | "cascade" | "premium_cap" | "degrade"> {
  return {
    ...(value.tiers === undefined ? {} : { tiers: value.tiers }),
    ...(value.cascade === undefined ? {} : { cascade: cascade(value.cascade) }),
    ...(value.premium_cap === undefined ? {} : { premium_cap: value.premium_cap }),
    ...(value.degrade === undefined ? {} : { degrade: value.degrade }),
  };
}
