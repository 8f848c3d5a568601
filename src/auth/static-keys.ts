import { z } from "zod";
import { sha256Hex } from "./hash";

/**
 * Bootstrap API keys from a Worker secret: only SHA-256 hashes are configured, so the secret never holds a usable
 * key. Enough for one developer or a first deployment; store-backed keys (created and revoked through the admin API)
 * build on the same `Principal`.
 */
const StaticKeySchema = z.object({
  key_id: z.string().min(1).max(64),
  tenant: z.string().min(1),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, "must be the lower-case hex SHA-256 of the key")
    .transform((s) => s.toLowerCase()),
});
const StaticKeysSchema = z.array(StaticKeySchema);

export interface StaticKey {
  keyId: string;
  tenant: string;
}

let cache: { source: string; byHash: Map<string, StaticKey> } | undefined;

function table(source: string | undefined): Map<string, StaticKey> {
  const text = source ?? "[]";
  if (cache?.source === text) return cache.byHash;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error("GATEWAY_STATIC_KEYS is not valid JSON");
  }
  const result = StaticKeysSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`GATEWAY_STATIC_KEYS: ${issue?.path.join(".")}: ${issue?.message}`);
  }
  const byHash = new Map(result.data.map((k) => [k.sha256, { keyId: k.key_id, tenant: k.tenant }]));
  cache = { source: text, byHash };
  verified.clear();
  return byHash;
}

/** Keys already verified in this isolate, so the hot path skips hashing. Bounded; static keys never revoke. */
const verified = new Map<string, StaticKey>();
const VERIFIED_MAX = 1024;

export async function lookupStaticKey(source: string | undefined, presented: string): Promise<StaticKey | undefined> {
  const byHash = table(source);
  const hit = verified.get(presented);
  if (hit !== undefined) return hit;
  const found = byHash.get(await sha256Hex(presented));
  if (found !== undefined) {
    if (verified.size >= VERIFIED_MAX) verified.clear();
    verified.set(presented, found);
  }
  return found;
}
