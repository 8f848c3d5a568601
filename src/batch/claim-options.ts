import type { Services } from "../context";
import type { CompiledPolicy } from "../policy/types";
import type { BatchBindings } from "./bindings";
import type { ClaimOptions } from "./durable-object";
import { DEFAULT_BATCH } from "./schedule";

const claimOptions = new WeakMap<CompiledPolicy, ClaimOptions>();

/** Concurrency per route and the claim lease (the longest route deadline, plus a minute), once per policy. */
export function claimOptionsOf(policy: CompiledPolicy): ClaimOptions {
  const cached = claimOptions.get(policy);
  if (cached !== undefined) return cached;
  const concurrency: Record<string, number> = {};
  let deadline = 0;
  for (const route of Object.values(policy.routes)) {
    concurrency[route.name] = (route.batch ?? DEFAULT_BATCH).max_concurrency;
    deadline = Math.max(deadline, route.timeouts.deadline_ms);
  }
  const options = { concurrency, fallback: DEFAULT_BATCH.max_concurrency, leaseMs: deadline + 60_000 };
  claimOptions.set(policy, options);
  return options;
}

export interface ConsumerDeps {
  services: Services;
  bindings: BatchBindings;
  waitUntil: (p: Promise<unknown>) => void;
}
