import { first } from "../../storage/sql";

/** Told when a hold opens, with its expiry, inside the transaction that opens it. */
export interface ExpiryLog {
  opened(expiresAt: number): void;
}

export const IGNORE_EXPIRY: ExpiryLog = { opened: () => undefined };

/** Earliest expiry among open holds, for the alarm. */
function nextExpiry(sql: SqlStorage): number | undefined {
  const row = first<{ at: number | null }>(sql, "SELECT MIN(expires_at) AS at FROM holds WHERE state = 'open'");
  return typeof row?.at === "number" ? row.at : undefined;
}

/**
 * Keeps the object's alarm at or before the earliest open hold's expiry, touching it as rarely as that allows. The
 * invariant: while any hold is open, an alarm is set no later than the earliest open expiry. Opening a hold can break
 * it, so an admission moves the alarm earlier when its hold expires before the alarm (or no alarm is set); closing a
 * hold cannot, so settlements and voids never touch the alarm. An alarm left earlier than it needs to be (its hold
 * was settled) fires, bills what is due (nothing, or holds that really expired), and moves itself to the earliest hold
 * still open: one `MIN` query per fire instead of one per settlement. With one hold lifetime per route, a busy object
 * touches its alarm about once per lifetime, not twice per request: each new hold expires after the armed one.
 *
 * Moving the alarm earlier also writes the runtime's alarm schedule (a second database, committed before the object's
 * own), so the calls saved are commits, not just statements. A hold opened in a transaction that rolled back may still
 * pull the alarm earlier: harmless, it fires and finds nothing due.
 */
export class HoldExpiry implements ExpiryLog {
  /** What the alarm is set to: a time, `undefined` when none is set, `null` until read from storage. */
  private armed: number | undefined | null = null;
  /** The earliest expiry opened since the last sync, if any. */
  private pending: number | undefined;

  opened(expiresAt: number): void {
    if (this.pending === undefined || expiresAt < this.pending) this.pending = expiresAt;
  }

  /** What the runtime has stored (call once before the first sync; `getAlarm()` answers null when none is set). */
  known(alarm: number | null): void {
    this.armed = alarm ?? undefined;
  }

  /**
   * After admissions: moves the alarm earlier if a hold opened since the last sync expires before it. Returns the
   * alarm write to await, or `undefined` when there is none (the common case: nothing to wait for).
   */
  sync(storage: DurableObjectStorage): Promise<void> | undefined {
    const at = this.pending;
    this.pending = undefined;
    if (at === undefined) return undefined;
    if (this.armed === null)
      return storage
        .getAlarm()
        .then((stored) => {
          // Another admission may have read it first and moved it since: what it set is the newer truth.
          if (this.armed === null) this.known(stored);
        })
        .then(() => this.moveTo(at, storage));
    return this.moveTo(at, storage);
  }

  /**
   * From the alarm handler, after the due holds were billed: the runtime cleared the alarm that fired, so the earliest
   * hold still open (if any) gets a new one. Holds opened meanwhile are covered by the same query.
   */
  fired(sql: SqlStorage, storage: DurableObjectStorage): Promise<void> | undefined {
    this.pending = undefined;
    const next = nextExpiry(sql);
    this.armed = next;
    return next === undefined ? undefined : storage.setAlarm(next);
  }

  private moveTo(at: number, storage: DurableObjectStorage): Promise<void> | undefined {
    if (this.armed !== undefined && this.armed !== null && this.armed <= at) return undefined;
    this.armed = at;
    return storage.setAlarm(at);
  }
}
