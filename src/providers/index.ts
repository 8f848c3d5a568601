/** What the gateway needs from the provider layer; provider names stay behind this line. */

export { PROVIDER_PRESETS } from "./presets";
export { getAdapter, getPreset, isProviderType, PROVIDER_TYPES } from "./registry";
export { type ResolveResult, resolveProvider } from "./resolve";
export { genAiProviderName } from "./semconv";
export {
  type CallOptions,
  type ProviderAdapter,
  type ProviderPreset,
  type ResolvedProvider,
  UpstreamProtocolError,
} from "./types";
