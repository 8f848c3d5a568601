import type { SectionEntry } from "./merge";
import type { EmbedderValue } from "./schema-cache";
import { defaultAllowedPorts, parseUrlTemplate } from "./tool-url";
import type { CacheConfig, EmbedderConfig, ToolConfig } from "./types";

type ToolValue = SectionEntry<"tools">;
type RouteCacheValue = SectionEntry<"routes">["cache"];
type CacheOverrideValue = NonNullable<SectionEntry<"tenants">["cache"]>;

/** A tool with every default filled in: ports from the URL's scheme, body from the method. */
export function toolConfig(name: string, value: ToolValue): ToolConfig {
  const impl = value.implementation;
  const parsed = parseUrlTemplate(impl.url);
  const scheme = parsed.ok ? parsed.info.scheme : undefined;
  const bodyless = impl.method === "GET" || impl.method === "DELETE";
  return {
    name,
    description: value.description,
    parameters: value.parameters,
    max_argument_bytes: value.max_argument_bytes,
    implementation: {
      kind: impl.kind,
      method: impl.method,
      url: impl.url,
      allowed_hosts: impl.allowed_hosts,
      allowed_ports: impl.allowed_ports ?? defaultAllowedPorts(scheme),
      headers: impl.headers,
      body: impl.body ?? (bodyless ? "none" : "json"),
      max_response_bytes: impl.max_response_bytes,
      timeout_ms: impl.timeout_ms,
      max_redirects: impl.max_redirects,
      result: {
        format: impl.result.format,
        ...(impl.result.fields === undefined ? {} : { fields: impl.result.fields }),
        max_chars: impl.result.max_chars,
      },
      ...(impl.dangerously_allow_cloud_metadata === true ? { dangerously_allow_cloud_metadata: true as const } : {}),
    },
    ...(value.max_calls_per_task === undefined ? {} : { max_calls_per_task: value.max_calls_per_task }),
    price_per_call: value.price_per_call,
    key_tags: value.key_tags,
  };
}

function embedderConfig(value: EmbedderValue): EmbedderConfig {
  const multilingual = value.multilingual === true ? { multilingual: true as const } : {};
  if (value.model !== undefined) return { kind: "model", model: value.model, ...multilingual };
  return { kind: "workers-ai", model: value.workers_ai ?? "", binding: value.binding ?? "AI", ...multilingual };
}

export function routeCache(value: RouteCacheValue): CacheConfig {
  const { embedder, threshold, ...rest } = value;
  return {
    ...rest,
    ...(threshold === undefined ? {} : { threshold }),
    ...(embedder === undefined ? {} : { embedder: embedderConfig(embedder) }),
  };
}

/** Override fields given, as runtime config (the embedder converted); undefined fields dropped. */
export function cacheOverride(value: Partial<CacheOverrideValue>): Partial<CacheConfig> {
  const { embedder, ...rest } = value;
  const out: Partial<CacheConfig> = {};
  for (const [key, field] of Object.entries(rest)) {
    if (field !== undefined) (out as Record<string, unknown>)[key] = field;
  }
  if (embedder !== undefined) out.embedder = embedderConfig(embedder);
  return out;
}
