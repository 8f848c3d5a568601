import type { CompiledPolicy, ModelConfig, ModelPricing } from "../policy/types";

const PPM = 1_000_000;

/** One price less the batch discount, rounded down (in the caller's favour): integer micro-credits only. */
function discounted(price: number, ppm: number): number {
  return Math.floor((price * (PPM - ppm)) / PPM);
}

/** A model's batch prices: every price of its catalogue entry less `batch_discount_ppm`. */
export function batchPricing(pricing: ModelPricing): ModelPricing {
  const ppm = pricing.batch_discount_ppm ?? 0;
  const out: ModelPricing = {
    input_per_mtok: discounted(pricing.input_per_mtok, ppm),
    output_per_mtok: discounted(pricing.output_per_mtok, ppm),
  };
  if (pricing.cached_input_per_mtok !== undefined) {
    out.cached_input_per_mtok = discounted(pricing.cached_input_per_mtok, ppm);
  }
  if (pricing.cache_write_per_mtok !== undefined) {
    out.cache_write_per_mtok = discounted(pricing.cache_write_per_mtok, ppm);
  }
  return out;
}

const views = new WeakMap<CompiledPolicy, CompiledPolicy>();

/**
 * The policy as batch items see it: the same routes, targets and version, with every model at its batch price. The
 * one billed-call path then holds, bills and records batch items at batch prices without knowing about batches.
 */
export function batchPolicy(policy: CompiledPolicy): CompiledPolicy {
  const cached = views.get(policy);
  if (cached !== undefined) return cached;
  const models: Record<string, ModelConfig> = {};
  for (const [alias, model] of Object.entries(policy.models)) {
    models[alias] = model.pricing === null ? model : { ...model, pricing: batchPricing(model.pricing) };
  }
  const view: CompiledPolicy = { ...policy, models };
  views.set(policy, view);
  return view;
}
