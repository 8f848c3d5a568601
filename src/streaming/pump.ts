import type { ChunkEvent } from "../canonical/chat";
import { GatewayError } from "../errors";
import type { StreamStart } from "./stream-start";

/**
 * The committed stream as one iterator: the first event (already received while routing), then the rest, each wait
 * for the upstream bounded by an idle timeout so a stalled upstream cannot hold the client forever. Time spent
 * waiting for a slow client (backpressure) does not count as upstream idleness.
 */
export async function* committedEvents(start: StreamStart, idleTimeoutMs: number): AsyncGenerator<ChunkEvent> {
  yield start.first;
  const watchdog = new IdleWatchdog(idleTimeoutMs);
  try {
    for (;;) {
      const next = await watchdog.guard(start.rest.next());
      if (next.done) return;
      yield next.value;
    }
  } finally {
    watchdog.stop();
  }
}

/**
 * One timer per stream, re-armed once per idle window, instead of a timer set and cleared for every chunk: this runs
 * for every chunk of every stream, on the Worker's CPU budget. Each wait gets its own small promise rather than a
 * race against one long-lived "expired" promise, which would keep a reaction per chunk alive for the whole stream.
 */
class IdleWatchdog {
  private waitingSince = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Rejects the wait in progress; undefined while nothing is awaited from the upstream. */
  private fail: ((err: GatewayError) => void) | undefined;
  private expired: GatewayError | undefined;

  constructor(private readonly ms: number) {
    this.timer = setTimeout(() => this.check(), ms);
  }

  guard<T>(promise: Promise<T>): Promise<T> {
    if (this.expired !== undefined) return Promise.reject(this.expired);
    this.waitingSince = Date.now();
    return new Promise<T>((resolve, reject) => {
      this.fail = reject;
      const done = (): void => {
        if (this.fail === reject) this.fail = undefined;
      };
      promise.then(
        (value) => {
          done();
          resolve(value);
        },
        (err: unknown) => {
          done();
          reject(err);
        },
      );
    });
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  private check(): void {
    const idle = this.fail === undefined ? 0 : Date.now() - this.waitingSince;
    if (idle >= this.ms) {
      this.expired = new GatewayError("upstream_timeout", `Upstream sent nothing for ${this.ms} ms; stream ended.`);
      this.fail?.(this.expired);
      return;
    }
    this.timer = setTimeout(() => this.check(), this.ms - idle);
  }
}

/** A batch stops growing past this many characters, so one slow consumer write never carries a whole stream. */
const MAX_BATCH_CHARS = 32 * 1024;

export interface ByteStreamHooks {
  /** Ends the upstream call (idempotent). */
  stopUpstream: () => Promise<void>;
  /** Told once when the client disconnects, before the upstream is stopped. */
  onClientGone?: () => void;
  /** The request's `ctx.waitUntil`: keeps the task that drives the stream alive after the client is gone. */
  waitUntil: (task: Promise<unknown>) => void;
  /** Told once when the stream ends: `true` when every byte was handed to the client and the stream closed. */
  onEnd?: (delivered: boolean) => void;
}

/**
 * Turns SSE text frames into a byte stream for the response. Each batch is written only once the client has read
 * the previous one (a native IdentityTransformStream resolves a write when it is read), so each chunk is forwarded
 * the moment it arrives and backpressure reaches the upstream. When the client disconnects, the pending write (or
 * the writer's `closed`) fails: `onClientGone` is told, the upstream is stopped and the frame iterator is closed,
 * which runs its cleanup (settlement).
 *
 * Why a task driving a writer, kept alive with waitUntil, rather than a pull-based ReadableStream: when a client
 * disconnects over a real socket, workerd drops the request's pending work, a pull in flight included, without
 * always calling the stream's `cancel` (measured under plain workerd: most of 100 mid-stream disconnects never
 * reached it, and their holds stayed open until expiry). A waitUntil task survives the client; its next write
 * fails, and the cleanup runs.
 *
 * Frames that are already there are written together: every chunk costs the runtime a trip through the stream
 * machinery and a socket write, several times the cost of the frame itself, and an upstream that sends a burst (a
 * fast model, or network batching) would otherwise pay it per token. Nothing waits for a frame that has not arrived:
 * the first frame goes out alone (time to first byte), and later frames are batched only when the frame that opens
 * the batch came without waiting on the network (the runtime's clock, which moves with I/O, did not move); the batch
 * then takes what arrives before the next turn of the event loop.
 */
export function toByteStream(frames: AsyncIterator<string>, hooks: ByteStreamHooks): ReadableStream<Uint8Array> {
  const { readable, writable } = new IdentityTransformStream();
  const writer = writable.getWriter();
  const encoder = new TextEncoder();
  const batches = new FrameBatches(frames);
  /** Set once, by whichever ends the stream first (the client leaving, a failure, or the end); it tells onEnd. */
  let ended = false;
  const end = (delivered: boolean): void => hooks.onEnd?.(delivered);

  const clientGone = async (): Promise<void> => {
    if (ended) return;
    ended = true;
    end(false);
    hooks.onClientGone?.();
    // Stop the upstream first: the frame iterator may be waiting on it, and it only finishes (running its cleanup,
    // e.g. settlement) once that wait ends.
    await hooks.stopUpstream().catch(() => undefined);
    await frames.return?.(undefined);
  };

  const drive = async (): Promise<void> => {
    for (;;) {
      let batch: string | undefined;
      try {
        batch = await batches.next();
      } catch (err) {
        if (ended) return;
        ended = true;
        end(false);
        await writer.abort(err).catch(() => undefined);
        await hooks.stopUpstream().catch(() => undefined);
        return;
      }
      if (ended) return;
      if (batch === undefined) {
        ended = true;
        end(
          await writer.close().then(
            () => true,
            () => false,
          ),
        );
        return;
      }
      try {
        if (batch !== "") await writer.write(encoder.encode(batch));
      } catch {
        await clientGone();
        return;
      }
    }
  };

  // The writer's `closed` fails as soon as the client is gone, even while a batch is still awaited upstream.
  const watch = writer.closed.then(
    () => undefined,
    () => clientGone(),
  );
  hooks.waitUntil(Promise.all([watch, drive()]));
  return readable;
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Joins frames that are ready together into one string (see toByteStream); `undefined` once the frames end. */
class FrameBatches {
  /** A frame asked for but not yet taken: the next batch starts with it (its failure surfaces there). */
  private pending: Promise<Settled<IteratorResult<string>>> | undefined;
  private first = true;

  constructor(private readonly frames: AsyncIterator<string>) {}

  async next(): Promise<string | undefined> {
    const clock = Date.now();
    const opening = await (this.pending ?? settle(this.frames.next()));
    this.pending = undefined;
    if (!opening.ok) throw opening.error;
    if (opening.value.done) return undefined;
    let batch = opening.value.value;
    const burst = !this.first && Date.now() === clock;
    this.first = false;
    if (!burst) return batch;
    // One timer per batch (not per frame: a timer set and cleared per token was ~6% of a stream's CPU).
    const turn = turnEnd();
    while (batch.length < MAX_BATCH_CHARS) {
      const following = settle(this.frames.next());
      const ready = await Promise.race([following, turn.ended]);
      if (ready === undefined || !ready.ok || ready.value.done) {
        // Not there yet, failed or ended: the next batch (or the end) takes it from here.
        this.pending = following;
        break;
      }
      batch += ready.value.value;
    }
    turn.cancel();
    return batch;
  }
}

function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );
}

/**
 * Resolves (with undefined) at the event loop's next turn: a frame that settles before it was ready in this turn.
 * Racing frames against it is `Promise.race` in order, so a frame already settled wins over a turn already ended.
 */
function turnEnd(): { ended: Promise<undefined>; cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const ended = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), 0);
  });
  return { ended, cancel: () => clearTimeout(timer) };
}
