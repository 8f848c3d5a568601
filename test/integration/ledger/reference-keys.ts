/** KeyStore of the REFERENCE store (a test oracle, never used by the gateway): a Map, copies in and out. */
import { type KeyRecord, type KeyStore, StoreUnavailableError } from "../../../src/ledger/types";

export class ReferenceKeyStore implements KeyStore {
  private readonly records = new Map<string, KeyRecord>();

  constructor(private readonly isDown: () => boolean) {}

  async create(record: KeyRecord): Promise<boolean> {
    this.reachable();
    if (this.records.has(record.keyId)) return false;
    this.records.set(record.keyId, structuredClone(record));
    return true;
  }

  async get(keyId: string): Promise<KeyRecord | undefined> {
    this.reachable();
    const found = this.records.get(keyId);
    return found && structuredClone(found);
  }

  async list(tenantId: string): Promise<KeyRecord[]> {
    this.reachable();
    const mine = [...this.records.values()].filter((r) => r.tenantId === tenantId);
    return structuredClone(mine.sort((x, y) => y.createdAt - x.createdAt));
  }

  async revoke(keyId: string, at: number): Promise<KeyRecord | undefined> {
    this.reachable();
    const found = this.records.get(keyId);
    if (found && found.revokedAt === undefined) found.revokedAt = at;
    return found && structuredClone(found);
  }

  private reachable(): void {
    if (this.isDown()) throw new StoreUnavailableError("reference store is down");
  }
}
