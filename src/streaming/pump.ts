import type { ChunkEvent } from "../canonical/chat";
import { GatewayError } from "../errors";
import type { StreamStart } from "../gateway/upstream-call";

/**
 * The committed stream as one iterator: the first event (already received while routing), then the rest, each
 * `next()` bounded by an idle timeout so a stalled upstream cannot hold the client forever.
 */
export async function* committedEvents(start: StreamStart, idleTimeoutMs: number): AsyncGenerator<ChunkEvent> {
  yield start.first;
  for (;;) {
    const next = await withIdleTimeout(start.rest.next(), idleTimeoutMs);
    if (next.done) return;
    yield next.value;
  }
}

function withIdleTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new GatewayError("upstream_timeout", `Upstream sent nothing for ${ms} ms; stream ended.`)),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Turns SSE text frames into a byte stream that pulls one frame per read, so each chunk is forwarded the moment it
 * arrives and backpressure reaches the upstream. `onCancel` runs when the client disconnects.
 */
export function toByteStream(frames: AsyncIterator<string>, onCancel: () => Promise<void>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await frames.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      } catch (err) {
        controller.error(err);
        await onCancel().catch(() => undefined);
      }
    },
    async cancel() {
      await frames.return?.(undefined);
      await onCancel().catch(() => undefined);
    },
  });
}
