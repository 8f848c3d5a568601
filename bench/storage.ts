/**
 * Where the ledgers under test keep their data. Both write durably on every operation (workerd's SQLite Durable
 * Objects, and Redis with `appendfsync always`), so on a disk each admission and settlement waits for a sync: on a
 * small VM that is ~2 ms a sync, which would swamp the gateway's own work and measure the VM's disk instead. By
 * default the data therefore goes to RAM (a fresh directory under /dev/shm, removed on exit); BENCH_STORAGE_DIR puts it
 * on a disk of your choice to see that cost.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";

const TMPFS = "/dev/shm";

export interface LedgerStorage {
  dir: string;
  /** For the report header. */
  description: string;
}

export function ledgerStorage(requested: string | undefined, fallback: string): LedgerStorage {
  if (requested !== undefined) {
    mkdirSync(requested, { recursive: true });
    return { dir: requested, description: `${requested} (BENCH_STORAGE_DIR; syncs on every write)` };
  }
  if (existsSync(TMPFS)) {
    try {
      const dir = mkdtempSync(`${TMPFS}/edge-router-bench-`);
      process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
      return { dir, description: `RAM (${TMPFS}): no disk sync latency` };
    } catch {
      // Not writable here: use the disk.
    }
  }
  mkdirSync(fallback, { recursive: true });
  return { dir: fallback, description: `${fallback} (no ${TMPFS}; syncs on every write)` };
}
