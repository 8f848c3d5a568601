/** Lookups over `PROVIDER_PRESETS`; the table itself is the only place a provider type is described. */
import type { ProviderType } from "../policy/types";
import { PROVIDER_PRESETS } from "./presets";
import type { ProviderAdapter, ProviderPreset } from "./types";

export function getPreset(type: ProviderType): ProviderPreset {
  return PROVIDER_PRESETS[type];
}

export function getAdapter(type: ProviderType): ProviderAdapter {
  return PROVIDER_PRESETS[type].adapter;
}

/** Narrows a string from outside (policy files, admin input) to a known provider type. */
export function isProviderType(value: string): value is ProviderType {
  return Object.hasOwn(PROVIDER_PRESETS, value);
}

export const PROVIDER_TYPES = Object.keys(PROVIDER_PRESETS) as ProviderType[];
