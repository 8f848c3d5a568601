/**
 * Upstash Vector names for one tenant. The client puts the namespace into the URL path without encoding it, so only
 * URL-safe characters may appear; policy tenant ids already are, anything else is hex-encoded (with a marker that a
 * plain id cannot contain, so the two forms never collide).
 */
const SAFE = /^[A-Za-z0-9._-]{1,100}$/;

function tenantPart(tenantId: string): string {
  if (SAFE.test(tenantId)) return tenantId;
  let hex = "";
  for (const byte of new TextEncoder().encode(tenantId)) hex += byte.toString(16).padStart(2, "0");
  return `~${hex}`;
}

/** Entries of one tenant (invalidate-all empties exactly this). */
export function entriesNamespace(tenantId: string): string {
  return `cache.${tenantPart(tenantId)}`;
}

/** Counters and the shadow log of one tenant, apart from the entries so searches and resets never touch them. */
export function statsNamespace(tenantId: string): string {
  return `cache-stats.${tenantPart(tenantId)}`;
}

/** A string literal for an Upstash filter. */
export function filterString(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}
