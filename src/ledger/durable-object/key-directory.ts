import { DurableObject } from "cloudflare:workers";
import type { KeyRecord } from "../types";

/**
 * Key records live in a FIXED set of shard objects (`idFromName("keys:" + shard)`), each holding the records of the
 * key ids that hash to it, so authenticating a request costs one call. Not one object per key id: a lookup starts its
 * object, and a started SQLite-backed object leaves its storage behind (seen locally: a database file per object), so
 * per-id objects let anyone who invents well-formed keys grow the store without bound. With shards, lookups of made-up
 * ids reach at most KEY_DIRECTORY_SHARDS objects, ever.
 *
 * It uses the synchronous KV API of the SQLite backend (`ctx.storage.kv`): a lookup writes nothing.
 */
export const KEY_DIRECTORY_SHARDS = 64;

/** FNV-1a of the id, modulo the shard count: key ids are random, but admins can create keys with any id. */
export function keyDirectoryShard(keyId: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < keyId.length; i++) {
    hash ^= keyId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `keys:${hash % KEY_DIRECTORY_SHARDS}`;
}

const recordKey = (keyId: string) => `key:${keyId}`;

export class KeyDirectory extends DurableObject {
  /** False when this key id already has a record (whoever created it). */
  create(record: KeyRecord): boolean {
    if (this.read(record.keyId)) return false;
    this.ctx.storage.kv.put(recordKey(record.keyId), record);
    return true;
  }

  /** The record, or undefined for an unknown key id (a lookup writes nothing). */
  record(keyId: string): KeyRecord | undefined {
    return this.read(keyId);
  }

  /** Sets revokedAt once; a second revoke keeps the first time. */
  revoke(keyId: string, at: number): KeyRecord | undefined {
    const record = this.read(keyId);
    if (!record || record.revokedAt !== undefined) return record;
    const revoked = { ...record, revokedAt: at };
    this.ctx.storage.kv.put(recordKey(keyId), revoked);
    return revoked;
  }

  private read(keyId: string): KeyRecord | undefined {
    return this.ctx.storage.kv.get<KeyRecord>(recordKey(keyId));
  }
}
