import { DurableObject } from "cloudflare:workers";
import type { KeyRecord } from "../types";

const RECORD = "record";

/**
 * The record of ONE API key, addressed by `idFromName("key:" + keyId)`, so authenticating a request costs one call
 * to this object. It is the source of truth for a key; the tenant's TenantLedger keeps a copy only to answer
 * list(tenantId).
 *
 * It uses the synchronous KV API of the SQLite backend (`ctx.storage.kv`) instead of a table of its own: a lookup of
 * an unknown key id (any well-formed key a client invents) then writes nothing, whereas creating a table would leave
 * a stored object behind for every guess.
 */
export class KeyDirectory extends DurableObject {
  /** False when this key id already has a record (whoever created it). */
  create(record: KeyRecord): boolean {
    if (this.read()) return false;
    this.ctx.storage.kv.put(RECORD, record);
    return true;
  }

  /** The record, or undefined for an unknown key id (a lookup writes nothing). */
  record(): KeyRecord | undefined {
    return this.read();
  }

  /** Sets revokedAt once; a second revoke keeps the first time. */
  revoke(at: number): KeyRecord | undefined {
    const record = this.read();
    if (!record || record.revokedAt !== undefined) return record;
    const revoked = { ...record, revokedAt: at };
    this.ctx.storage.kv.put(RECORD, revoked);
    return revoked;
  }

  private read(): KeyRecord | undefined {
    return this.ctx.storage.kv.get<KeyRecord>(RECORD);
  }
}
