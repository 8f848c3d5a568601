import type { Redis } from "@upstash/redis/cloudflare";
import { decodeStored } from "../../storage/decode";
import { KeyRecordSchema } from "../records";
import type { KeyRecord, KeyStore } from "../types";
import { guarded, jsonScript } from "./client";
import type { LedgerKeys } from "./keys";
import { CREATE_KEY_SCRIPT, REVOKE_KEY_SCRIPT } from "./scripts/key-store";

/** API key records: JSON under `key:<keyId>` plus a per-tenant index sorted by creation time. */
export function createKeyStore(redis: Redis, k: LedgerKeys): KeyStore {
  const create = jsonScript(redis, CREATE_KEY_SCRIPT);
  const revoke = jsonScript(redis, REVOKE_KEY_SCRIPT);
  const parse = (text: unknown): KeyRecord | undefined =>
    typeof text === "string" ? decodeStored(KeyRecordSchema, text, "key record") : undefined;

  return {
    async create(record) {
      if (!Number.isSafeInteger(record.createdAt))
        throw new RangeError("key record: createdAt must be an integer (ms)");
      const keys = [k.keyRecord(record.keyId), k.tenantKeys(record.tenantId)];
      const args = [JSON.stringify(record), record.keyId, String(record.createdAt)];
      return Number(await create.runRaw("key create", keys, args)) === 1;
    },

    async get(keyId) {
      return parse(await guarded("key get", () => redis.get<string>(k.keyRecord(keyId))));
    },

    async list(tenantId) {
      const ids = await guarded("key list", () => redis.zrange<string[]>(k.tenantKeys(tenantId), 0, -1, { rev: true }));
      if (ids.length === 0) return [];
      const texts = await guarded("key list", () => redis.mget<(string | null)[]>(...ids.map((id) => k.keyRecord(id))));
      return texts.flatMap((text) => parse(text) ?? []).filter((r) => r.tenantId === tenantId);
    },

    async revoke(keyId, at) {
      if (!Number.isSafeInteger(at)) throw new RangeError("key revoke: at must be an integer (ms)");
      return parse(await revoke.runRaw("key revoke", [k.keyRecord(keyId)], [String(at)]));
    },
  };
}
