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

/**
 * The static keys of one isolate: the parsed table (re-parsed only when the secret's text changes) and the keys
 * already verified, so the hot path skips hashing. Bounded; static keys never revoke. One per isolate, in Services.
 */
export class StaticKeys {
  private table: { source: string; byHash: Map<string, StaticKey> } | undefined;
  private readonly verified = new Map<string, StaticKey>();
  private static readonly VERIFIED_MAX = 1024;

  async lookup(source: string | undefined, presented: string): Promise<StaticKey | undefined> {
    const byHash = this.byHash(source);
    const hit = this.verified.get(presented);
    if (hit !== undefined) return hit;
    const found = byHash.get(await sha256Hex(presented));
    if (found !== undefined) {
      if (this.verified.size >= StaticKeys.VERIFIED_MAX) this.verified.clear();
      this.verified.set(presented, found);
    }
    return found;
  }

  private byHash(source: string | undefined): Map<string, StaticKey> {
    const text = source ?? "[]";
    if (this.table?.source === text) return this.table.byHash;
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
    this.table = { source: text, byHash };
    this.verified.clear();
    return byHash;
  }
}
