/** What the gateway needs from the provider layer; provider names stay behind this line. */

export { UpstreamProtocolError } from "../errors/upstream-protocol-error";
export { PROVIDER_PRESETS } from "./presets";
export { getAdapter, getPreset, isProviderType, PROVIDER_TYPES } from "./registry";
export { type ResolveResult, resolveProvider } from "./resolve";
export type { CallOptions, ProviderAdapter, ProviderPreset, ResolvedProvider } from "./types";
