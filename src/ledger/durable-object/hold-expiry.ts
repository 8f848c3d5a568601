import { first } from "../../storage/sql";

/** Told when a hold opens or closes, with the hold's expiry, inside the transaction that does it. */
export interface ExpiryLog {
  opened(expiresAt: number): void;
  closed(expiresAt: number): void;
}

export const IGNORE_EXPIRY: ExpiryLog = { opened: () => undefined, closed: () => undefined };

/** Earliest expiry among open holds, for the alarm. */
function nextExpiry(sql: SqlStorage): number | undefined {
  const row = first<{ at: number | null }>(sql, "SELECT MIN(expires_at) AS at FROM holds WHERE state = 'open'");
  return typeof row?.at === "number" ? row.at : undefined;
}

/**
 * Keeps the object's alarm at the earliest open hold's expiry (none when nothing is open) while asking SQLite only
 * when the answer is not already known: a new hold that expires after the earliest one, or a closed hold that was not
 * the earliest, leaves the earliest where it was. Every admission and settlement calls `sync`, so the query it saves
 * is on the hot path. A rolled-back transaction may have reported changes that never happened: `forget` then.
 */
export class HoldExpiry implements ExpiryLog {
  /** Earliest open expiry: a time, `undefined` when no hold is open, `null` when unknown (ask SQLite). */
  private earliest: number | undefined | null = null;
  /** What the alarm was last set to by this instance; `null` until known (a fresh instance re-arms once). */
  private armed: number | undefined | null = null;

  opened(expiresAt: number): void {
    if (this.earliest === undefined || (typeof this.earliest === "number" && expiresAt < this.earliest)) {
      this.earliest = expiresAt;
    }
  }

  closed(expiresAt: number): void {
    if (this.earliest === undefined || (typeof this.earliest === "number" && expiresAt <= this.earliest)) {
      this.earliest = null;
    }
  }

  forget(): void {
    this.earliest = null;
  }

  /** A fired alarm is cleared by the runtime. */
  fired(): void {
    this.armed = undefined;
  }

  async sync(sql: SqlStorage, storage: DurableObjectStorage): Promise<void> {
    if (this.earliest === null) this.earliest = nextExpiry(sql);
    const next = this.earliest;
    if (next === this.armed) return;
    this.armed = next;
    if (next === undefined) await storage.deleteAlarm();
    else await storage.setAlarm(next);
  }
}
