import type { CompiledPolicy } from "../../src/policy/types";

/** As src/policy/index.ts does for the bundled policy: one isolate shares it across requests. */
export function deepFreeze(value: CompiledPolicy): CompiledPolicy {
  const freeze = (node: unknown): void => {
    if (typeof node !== "object" || node === null || Object.isFrozen(node)) return;
    for (const child of Object.values(node)) freeze(child);
    Object.freeze(node);
  };
  freeze(value);
  return value;
}
