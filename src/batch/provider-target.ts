import type { Services } from "../context";
import { GatewayError } from "../errors";
import { getPreset, resolveProvider } from "../providers";
import type { ProviderAdapter, ProviderBatchApi, ProviderBatchRequest, ResolvedProvider } from "../providers/types";
import type { ParsedItem } from "./item-request";
import { DEFAULT_BATCH, routeFor } from "./schedule";
import type { BatchItem } from "./types";

/** Where a `via: provider` batch goes: the first target of its route's first model. */
export interface ProviderTarget {
  api: ProviderBatchApi;
  adapter: ProviderAdapter;
  provider: ResolvedProvider;
  upstreamModel: string;
  /** The model's output limit from policy, for wire formats that require one (as on the interactive path). */
  maxOutputTokens: number | undefined;
  pollSeconds: number;
}

export function providerTargetOf(services: Services, tenantId: string, items: BatchItem[]): ProviderTarget {
  const { policy } = services;
  const tenant = policy.tenants[tenantId];
  const route = tenant === undefined ? undefined : routeFor(policy, tenant, items[0]?.model ?? "");
  const model = policy.models[route?.models[0] ?? ""];
  const target = model?.targets[0];
  const config = target === undefined ? undefined : policy.providers[target.provider];
  const preset = config === undefined ? undefined : getPreset(config.type);
  const api = preset?.batchApi;
  if (route === undefined || target === undefined || config === undefined || api === undefined) {
    throw new GatewayError("internal_error", "the batch's route no longer sends batches to a provider batch API");
  }
  const resolved = resolveProvider(config, (name) => services.env.secret(name));
  if (!resolved.ok) throw new GatewayError("upstream_unavailable", resolved.reason);
  return {
    api,
    adapter: getPreset(config.type).adapter,
    provider: resolved.provider,
    upstreamModel: target.model,
    maxOutputTokens: model?.max_output_tokens,
    pollSeconds: (route.batch ?? DEFAULT_BATCH).poll_interval_s,
  };
}

/**
 * The request the interactive path would send upstream for an item, built by the target's own adapter (so a
 * provider batch carries the same translation as a live call): its path below the base URL and its JSON body.
 * Throws the adapter's `GatewayError` for an item the target cannot take (an unsupported parameter, embeddings on a
 * chat-only provider).
 */
export async function upstreamRequestOf(target: ProviderTarget, parsed: ParsedItem): Promise<ProviderBatchRequest> {
  const { adapter, provider, upstreamModel } = target;
  let request: Request;
  if (parsed.kind === "embeddings") {
    if (adapter.embeddingsRequest === undefined) {
      throw new GatewayError("invalid_request", "The provider's batch API takes no embeddings requests.");
    }
    request = adapter.embeddingsRequest(provider, upstreamModel, parsed.req);
  } else {
    const opts = target.maxOutputTokens === undefined ? {} : { defaultMaxTokens: target.maxOutputTokens };
    request = adapter.chatRequest(provider, upstreamModel, parsed.chat, { stream: false, ...opts });
  }
  const basePath = new URL(provider.baseUrl).pathname.replace(/\/+$/, "");
  const path = new URL(request.url).pathname;
  const body = (await request.json()) as Record<string, unknown>;
  return { path: path.startsWith(basePath) ? path.slice(basePath.length) : path, body };
}
