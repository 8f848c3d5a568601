import type { ChunkEvent } from "../canonical/chat";
import { GatewayError } from "../errors";
import type { StreamStart } from "../gateway/upstream-call";

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
 * for every chunk of every stream, on the Worker's CPU budget.
 */
class IdleWatchdog {
  private waitingSince = 0;
  private waiting = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private reject: ((err: GatewayError) => void) | undefined;
  private readonly expired: Promise<never>;

  constructor(private readonly ms: number) {
    this.expired = new Promise<never>((_, reject) => {
      this.reject = reject;
    });
    this.expired.catch(() => undefined);
    this.timer = setTimeout(() => this.check(), ms);
  }

  guard<T>(promise: Promise<T>): Promise<T> {
    this.waiting = true;
    this.waitingSince = Date.now();
    return Promise.race([promise, this.expired]).finally(() => {
      this.waiting = false;
    });
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  private check(): void {
    const idle = this.waiting ? Date.now() - this.waitingSince : 0;
    if (idle >= this.ms) {
      this.reject?.(new GatewayError("upstream_timeout", `Upstream sent nothing for ${this.ms} ms; stream ended.`));
      return;
    }
    this.timer = setTimeout(() => this.check(), this.ms - idle);
  }
}

/**
 * Turns SSE text frames into a byte stream that pulls one frame per read, so each chunk is forwarded the moment it
 * arrives and backpressure reaches the upstream. When the client disconnects, `onClientGone` is told and
 * `stopUpstream` ends the upstream call.
 */
export function toByteStream(
  frames: AsyncIterator<string>,
  stopUpstream: () => Promise<void>,
  onClientGone?: () => void,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await frames.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      } catch (err) {
        controller.error(err);
        await stopUpstream().catch(() => undefined);
      }
    },
    async cancel() {
      // The client went away. Stop the upstream first: a pull may be waiting on it, and the frame iterator only
      // finishes (running its cleanup, e.g. settlement) once that wait ends.
      onClientGone?.();
      await stopUpstream().catch(() => undefined);
      await frames.return?.(undefined);
    },
  });
}
