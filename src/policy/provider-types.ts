/**
 * Every provider type, and whether it is a self-hosted origin (origins have no well-known address, so their
 * `base_url` is required). The one list of provider type names: `ProviderType` is derived from it, the policy
 * schema's enum is built from it, and `src/providers/presets.ts` must describe each (`satisfies Record<ProviderType,
 * ...>`).
 */
export const PROVIDER_TYPES = {
  openai: { origin: false },
  groq: { origin: false },
  together: { origin: false },
  mistral: { origin: false },
  deepseek: { origin: false },
  fireworks: { origin: false },
  "openai-compatible": { origin: true },
  vllm: { origin: true },
  tgi: { origin: true },
  sglang: { origin: true },
  llamacpp: { origin: true },
  anthropic: { origin: false },
  gemini: { origin: false },
} as const satisfies Record<string, { origin: boolean }>;

/** Which adapter speaks to a provider, and which preset supplies its defaults (base URL, auth, quirks). */
export type ProviderType = keyof typeof PROVIDER_TYPES;
