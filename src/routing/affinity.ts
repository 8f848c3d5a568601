/**
 * Prompt-cache affinity: a provider's prompt cache lives on the target (account, region, origin replica) that served
 * the prefix, so a conversation that hops between targets of a tier pays full input price on every hop. When a
 * request says it wants a cached prefix — a client key (`prompt_cache_key`) or Anthropic `cache_control`
 * breakpoints — the weighted draw inside each priority tier is seeded from that key, so every request with the same
 * key gets the same target order (while the target set and breakers are unchanged), and different keys still spread
 * by weight. Requests without either keep the plain random draw: hashing every system prompt would pin all traffic
 * of one application to one target.
 */
import type { ChatRequest } from "../canonical/chat";

/**
 * The affinity key of `req`: `prompt_cache_key` when the client sent one, else a hash of everything up to and
 * including the last `cache_control` breakpoint (tools, then messages, in the order Anthropic caches them).
 */
export function cacheAffinityKey(req: ChatRequest): string | undefined {
  const clientKey = req.prompt_cache_key;
  if (typeof clientKey === "string" && clientKey !== "") return `key:${clientKey}`;
  const tools = req.tools ?? [];
  let lastTool = -1;
  tools.forEach((t, i) => {
    if (hasMarker(t)) lastTool = i;
  });
  let lastMessage = -1;
  req.messages.forEach((m, i) => {
    if (hasMarker(m) || (Array.isArray(m.content) && m.content.some(hasMarker)) || m.tool_calls?.some(hasMarker))
      lastMessage = i;
  });
  if (lastTool === -1 && lastMessage === -1) return undefined;
  const prefix = JSON.stringify([
    lastMessage === -1 ? tools.slice(0, lastTool + 1) : tools,
    req.messages.slice(0, lastMessage + 1),
  ]);
  return `prefix:${fnv1a(prefix).toString(16)}`;
}

function hasMarker(value: unknown): boolean {
  return typeof value === "object" && value !== null && "cache_control" in value && value.cache_control != null;
}

/** FNV-1a, 32 bits: stable across isolates and releases (no per-process seed), cheap, and not a secret. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** A deterministic `random()` for one affinity key (mulberry32 seeded by the key's hash). */
export function seededRandom(key: string): () => number {
  let state = fnv1a(key);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
