/**
 * Every provider type, and whether it is a self-hosted origin (origins have no well-known address, so their
 * `base_url` is required). The one list of provider type names: `ProviderType` is derived from it, the policy
 * schema's enum is built from it, and `src/providers/presets.ts` must describe each (`satisfies Record<ProviderType,
 * ...>`). Cloud providers also list which settings (schema-cloud.ts) they take: `required` ones must be set,
 * `optional` ones may be, and any other setting is refused for that type.
 */
export const PROVIDER_TYPES = {
  /** `batchApi`: the provider has its own batch API a route's `batch.via: provider` may use (presets.ts serves it). */
  openai: { origin: false, batchApi: true },
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
  bedrock: {
    origin: false,
    settings: { required: ["region"], optional: ["access_key_id_secret", "session_token_secret"] },
  },
  "azure-openai": { origin: false, settings: { optional: ["resource", "api_version", "deployments"] } },
  vertex: { origin: false, settings: { required: ["project", "region"] } },
  "vertex-anthropic": { origin: false, settings: { required: ["project", "region"] } },
  anthropic: { origin: false, batchApi: true },
  gemini: { origin: false },
} as const satisfies Record<string, { origin: boolean; batchApi?: true; settings?: CloudSettingRules }>;

export type CloudSettingName =
  | "region"
  | "project"
  | "resource"
  | "api_version"
  | "deployments"
  | "access_key_id_secret"
  | "session_token_secret";

export interface CloudSettingRules {
  required?: readonly CloudSettingName[];
  optional?: readonly CloudSettingName[];
}

/** Which API the provider speaks, and which preset supplies its defaults (base URL, auth, quirks). */
export type ProviderType = keyof typeof PROVIDER_TYPES;

export function cloudSettingRules(type: ProviderType): CloudSettingRules {
  const entry = PROVIDER_TYPES[type];
  return "settings" in entry ? entry.settings : {};
}
