/**
 * Group commit: calls to the same store object (one tenant's ledger) that arrive while a call to it is in flight are
 * sent together as ONE call, applied by the object in one synchronous run (one storage commit), each item checked
 * and answered on its own, in arrival order.
 *
 * No added latency when idle: the first item of an idle object goes out after one microtask (which only picks up what
 * the same task submitted), not after a timer. Items that arrive while a batch of that object is out gather in the
 * next batch, which leaves when the one out is answered: at c=1 nothing ever waits, at c=64 one call carries many.
 *
 * Who sends: every batch is sent by the code of its FIRST item (its leader), which then awaits its own answer in that
 * very call. In the Workers runtime I/O belongs to the request that started it, so a batch is never sent from a
 * request whose part is over; the others wait for the leader's answer on timers of their own (see `until`).
 *
 * Timeouts: a batch that gets no answer within `timeoutMs` fails all its items with StoreUnavailableError (admission
 * fails closed; settlement goes to its retries and the outbox) and the next batch goes out: a hung store never
 * blocks the queue. The hung call is left to finish; its late answer is dropped. Every item is resolvable twice only
 * in that sense, and the ledger resolves each hold once, so a retried settlement of a landed one answers
 * `already_resolved`.
 */
import { withTimeout } from "./timeout";
import { StoreUnavailableError } from "./types";

/** What a batch call answers per item: the value, or the message of the error that item raised. */
export type ItemOutcome<R> = { ok: true; value: R } | { ok: false; error: string };

export interface GroupCommitOptions<I, R> {
  /** Sends one batch to the object named `key`; answers one outcome per item, in order. Throws when unreachable. */
  send(key: string, items: I[]): Promise<ItemOutcome<R>[]>;
  /** How long a batch may go unanswered. */
  timeoutMs: number;
  /** Most items per call. */
  maxItems?: number;
  /**
   * Keeps a sent batch alive past its leader's response (the runtime's `waitUntil`): a leader whose client hangs up
   * must still hear the answer, since the batch carries other requests' items.
   */
  keepAlive?: (p: Promise<unknown>) => void;
  /**
   * Items on a request's critical path (admissions). A batch led by one waits only behind batches that carry such
   * items too: an admission never waits for settlements of earlier requests (at c=1, the previous request's
   * settlement is often still out when the next admission arrives).
   */
  urgent?: (item: I) => boolean;
  /** Rough size of an item (characters); a batch stops growing past `maxWeight`. Default 1 per item. */
  weight?: (item: I) => number;
  maxWeight?: number;
  /** What the failure of a whole batch says (the store's name and the operation). */
  label: (items: I[]) => string;
}

type Signal<R> = { kind: "value"; value: R } | { kind: "error"; error: Error };

interface Waiter<I, R> {
  item: I;
  /** Set when the batch is answered: plain data, never a promise shared between requests. */
  outcome?: Signal<R>;
  /** When the batch carrying this item stops waiting for its answer (set as it is sent). */
  deadline?: number;
}

interface Queue<I, R> {
  /** The batch still gathering items: its leader has not sent it yet. */
  open: Waiter<I, R>[] | undefined;
  /** Whether the open batch's leader is urgent (it leaves without waiting for settlements out). */
  openUrgent: boolean;
  weight: number;
  /** Deadlines of this object's batches out now (a batch whose leader's request died counts until its deadline). */
  inflight: Set<{ deadline: number; urgent: boolean }>;
}

const DEFAULT_MAX_ITEMS = 64;

export class GroupCommit<I, R> {
  private readonly queues = new Map<string, Queue<I, R>>();
  /** Recent batch round trips (ms, moving average): how long a follower sleeps before its first check. */
  private roundTripMs = 0;

  constructor(private readonly opts: GroupCommitOptions<I, R>) {}

  async submit(key: string, item: I): Promise<R> {
    let queue = this.queues.get(key);
    if (queue === undefined) {
      queue = { open: undefined, openUrgent: false, weight: 0, inflight: new Set() };
      this.queues.set(key, queue);
    }
    const self: Waiter<I, R> = { item };
    const weight = this.opts.weight?.(item) ?? 1;
    const open = queue.open;
    // An urgent item never joins a batch that may wait behind settlements; it leads its own (settlements join it).
    const urgent = this.opts.urgent?.(item) ?? false;
    if (open !== undefined && this.fits(queue, open, weight) && (queue.openUrgent || !urgent)) {
      open.push(self);
      queue.weight += weight;
      return this.follow(self);
    }
    return this.lead(key, queue, self, weight);
  }

  private fits(queue: Queue<I, R>, open: Waiter<I, R>[], weight: number): boolean {
    const maxWeight = this.opts.maxWeight ?? Number.POSITIVE_INFINITY;
    return open.length < (this.opts.maxItems ?? DEFAULT_MAX_ITEMS) && queue.weight + weight <= maxWeight;
  }

  /**
   * Waits for the leader's answer on timers of this request's own (see `until`). Should the leader's request die
   * with the batch unsent, this one gives up (StoreUnavailableError) instead of waiting for ever.
   */
  private async follow(self: Waiter<I, R>): Promise<R> {
    const limit = 2 * this.opts.timeoutMs + 1_000;
    const answered = await until(
      () => self.outcome !== undefined || (self.deadline !== undefined && Date.now() > self.deadline + 1_000),
      limit,
      firstCheckMs(this.roundTripMs),
    );
    const outcome = self.outcome;
    if (!answered || outcome === undefined) {
      throw new StoreUnavailableError(`${this.opts.label([])}: no answer in ${limit} ms (queued)`);
    }
    if (outcome.kind === "error") throw outcome.error;
    return outcome.value;
  }

  /** Opens a batch, gathers what arrives until the object's batch out is answered, sends it, answers everyone. */
  private async lead(key: string, queue: Queue<I, R>, self: Waiter<I, R>, weight: number): Promise<R> {
    const batch: Waiter<I, R>[] = [self];
    const urgent = this.opts.urgent?.(self.item) ?? false;
    queue.open = batch;
    queue.openUrgent = urgent;
    queue.weight = weight;
    // One microtask: what the same task submits joins this batch (50 calls started together are one call).
    await null;
    // What arrives while the object works on the batch out goes with this one (bounded: a hung batch times out).
    if (busy(queue, urgent)) await until(() => !busy(queue, urgent), this.opts.timeoutMs);
    if (queue.open === batch) queue.open = undefined;
    const out = {
      deadline: Date.now() + this.opts.timeoutMs,
      urgent: batch.some((w) => this.opts.urgent?.(w.item) ?? false),
    };
    for (const w of batch) w.deadline = out.deadline;
    queue.inflight.add(out);
    const sentAt = Date.now();
    // The answer is handed out by a continuation attached right away (not after this function's await), so that it
    // runs even if the leader's own request is cancelled meanwhile; keepAlive holds its request open for it.
    const answered = this.call(
      key,
      batch.map((w) => w.item),
    ).then(
      (outcomes) => outcomes,
      (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
    );
    const handedOut = answered.then((outcomes) => {
      this.roundTripMs += (Date.now() - sentAt - this.roundTripMs) / 4;
      queue.inflight.delete(out);
      if (queue.inflight.size === 0 && queue.open === undefined && this.queues.get(key) === queue) {
        this.queues.delete(key);
      }
      for (const [i, w] of batch.entries()) w.outcome = toSignal(outcomes, i);
    });
    try {
      this.opts.keepAlive?.(handedOut);
    } catch {
      // Outside a request (tests, scripts) there is nothing to keep alive.
    }
    await handedOut;
    const own = self.outcome ?? toSignal(await answered, 0);
    if (own.kind === "error") throw own.error;
    return own.value;
  }

  private async call(key: string, items: I[]): Promise<ItemOutcome<R>[]> {
    const outcomes = await withTimeout(this.opts.label(items), this.opts.send(key, items), this.opts.timeoutMs);
    if (outcomes.length !== items.length) {
      throw new Error(`${this.opts.label(items)}: ${outcomes.length} answers for ${items.length} items`);
    }
    return outcomes;
  }
}

/** A batch of this object is out (for an urgent leader: one carrying urgent items) and not past its deadline. */
function busy<I, R>(queue: Queue<I, R>, urgentOnly: boolean): boolean {
  const now = Date.now();
  for (const b of queue.inflight) if (now < b.deadline && (b.urgent || !urgentOnly)) return true;
  return false;
}

/**
 * Waits until `done()` holds (true) or `limitMs` passes (false), checking on short timers of the CALLER's request.
 * Why not a promise the leader resolves: a request must not await a promise settled by another request's I/O. The
 * runtime may run the continuation in the other request's context (the test pool runs with
 * `no_handle_cross_request_promise_resolution`), where this request's own I/O then fails ("Cannot perform I/O on
 * behalf of a different request"), and a request that waits on nothing of its own is cancelled as hung. A timer of
 * its own is both: its callback runs in the right request, and the request is visibly waiting. Checks every 1-2 ms:
 * a batch takes a few milliseconds, so a waiter checks a handful of times. A follower's first check waits
 * `firstMs` (see `firstCheckMs`).
 */
async function until(done: () => boolean, limitMs: number, firstMs = 1): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  for (let delay = firstMs; !done(); delay = 2) {
    if (Date.now() >= deadline) return false;
    await new Promise<void>((resolve) => setTimeout(resolve, delay));
  }
  return true;
}

/**
 * A follower's answer cannot come before its batch has been out for a round trip, so checking sooner only costs
 * timers (each one a runtime call; at c=64 most items are followers). The first check waits about half the recent
 * round trip, an odd number of ms (1, 3, 5 or 7) so that the later 2 ms checks fall where checks from 1 ms would:
 * while round trips stay like the recent ones, no answer is seen later than before, with fewer timers.
 */
export function firstCheckMs(roundTripMs: number): number {
  const half = Math.floor(roundTripMs / 2);
  return Math.min(7, Math.max(1, half % 2 === 1 ? half : half - 1));
}

function toSignal<R>(outcomes: ItemOutcome<R>[] | Error, i: number): Signal<R> {
  if (outcomes instanceof Error) return { kind: "error", error: outcomes };
  const outcome = outcomes[i];
  if (outcome === undefined) return { kind: "error", error: new Error("group commit: missing answer") };
  // An item that failed inside the store (its own transaction rolled back) is the store failing, as for one call.
  return outcome.ok
    ? { kind: "value", value: outcome.value }
    : { kind: "error", error: new StoreUnavailableError(`ledger store unavailable: ${outcome.error}`) };
}
