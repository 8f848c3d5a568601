import type { ModelTarget } from "../policy/types";

/**
 * Orders targets for one attempt list: priority tiers ascending, and inside a tier a weighted random permutation
 * (successive draws without replacement, each target chosen with probability weight / remaining weight). So weight
 * shares load for the first attempt and the later order is still random, which spreads fallback load too.
 * Zero-weight targets are never drawn while a positive one remains; they keep their policy order at the tier's end.
 * Consumes one `random()` per draw among more than one positive-weight target, so a seeded `random` gives a fixed
 * order.
 */
export function orderTargets<T extends Pick<ModelTarget, "priority" | "weight">>(
  targets: readonly T[],
  random: () => number,
): T[] {
  // The common case (a model with one target) has nothing to order and draws no random number either way.
  if (targets.length < 2) return [...targets];
  const tiers = new Map<number, T[]>();
  for (const target of targets) {
    const tier = tiers.get(target.priority);
    if (tier === undefined) tiers.set(target.priority, [target]);
    else tier.push(target);
  }
  const out: T[] = [];
  for (const priority of [...tiers.keys()].sort((a, b) => a - b)) {
    out.push(...weightedShuffle(tiers.get(priority) ?? [], random));
  }
  return out;
}

export function weightedShuffle<T extends { weight: number }>(items: readonly T[], random: () => number): T[] {
  const pool = items.filter((item) => item.weight > 0);
  const unweighted = items.filter((item) => !(item.weight > 0));
  const out: T[] = [];
  while (pool.length > 1) {
    const total = pool.reduce((sum, item) => sum + item.weight, 0);
    let point = random() * total;
    let index = 0;
    // The last index absorbs floating-point rounding (and a `random` that returns exactly 1).
    while (index < pool.length - 1) {
      const weight = pool[index]?.weight ?? 0;
      if (point < weight) break;
      point -= weight;
      index++;
    }
    out.push(...pool.splice(index, 1));
  }
  out.push(...pool, ...unweighted);
  return out;
}
