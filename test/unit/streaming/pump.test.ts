import { describe, expect, it } from "vitest";
import type { ChatChunk, ChunkEvent } from "../../../src/canonical/chat";
import { GatewayError } from "../../../src/errors";
import { type ByteStreamHooks, committedEvents, toByteStream } from "../../../src/streaming/pump";
import type { StreamStart } from "../../../src/streaming/stream-start";

function event(n: number): ChunkEvent {
  const chunk: ChatChunk = {
    id: "c",
    object: "chat.completion.chunk",
    created: 1,
    model: "m",
    choices: [{ index: 0, delta: { content: `t${n}` }, finish_reason: null }],
  };
  return { chunk };
}

/** An upstream whose events are released by hand: `push` one, `end`, or never (a stall). */
function manualUpstream() {
  const queue: IteratorResult<ChunkEvent>[] = [];
  let waiter: ((r: IteratorResult<ChunkEvent>) => void) | undefined;
  const deliver = (r: IteratorResult<ChunkEvent>) => {
    if (waiter) {
      const w = waiter;
      waiter = undefined;
      w(r);
    } else queue.push(r);
  };
  const rest: AsyncIterator<ChunkEvent> = {
    next: () => {
      const queued = queue.shift();
      return queued ? Promise.resolve(queued) : new Promise((resolve) => (waiter = resolve));
    },
  };
  return {
    start: { first: event(0), rest, cancel: async () => undefined } satisfies StreamStart,
    push: (n: number) => deliver({ done: false, value: event(n) }),
    end: () => deliver({ done: true, value: undefined }),
  };
}

async function drain<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe("committedEvents", () => {
  it("passes the first event and the rest through, then ends", async () => {
    const up = manualUpstream();
    up.push(1);
    up.push(2);
    up.end();
    const got = await drain(committedEvents(up.start, 10_000));
    expect(got.map((e) => e.chunk.choices[0]?.delta.content)).toEqual(["t0", "t1", "t2"]);
  });

  it("ends a stalled upstream with upstream_timeout", async () => {
    const up = manualUpstream();
    up.push(1);
    const seen: string[] = [];
    const failure = await (async () => {
      for await (const e of committedEvents(up.start, 30)) seen.push(String(e.chunk.choices[0]?.delta.content));
    })().catch((err: unknown) => err);
    expect(seen).toEqual(["t0", "t1"]);
    expect(failure).toBeInstanceOf(GatewayError);
    expect((failure as GatewayError).code).toBe("upstream_timeout");
  });

  it("does not count a slow consumer as upstream idleness", async () => {
    const up = manualUpstream();
    up.push(1);
    up.push(2);
    up.end();
    const got: string[] = [];
    for await (const e of committedEvents(up.start, 30)) {
      got.push(String(e.chunk.choices[0]?.delta.content));
      // The consumer takes longer than the idle window between reads; the upstream had everything ready.
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    expect(got).toEqual(["t0", "t1", "t2"]);
  });
});

async function* framesOf(frames: string[], failAfter?: Error): AsyncGenerator<string> {
  for (const f of frames) yield f;
  if (failAfter) throw failAfter;
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<{ text: string; reads: number; error?: unknown }> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let reads = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text, reads };
      reads++;
      text += decoder.decode(value, { stream: true });
    }
  } catch (error) {
    return { text, reads, error };
  }
}

/** Hooks for toByteStream, with the waitUntil tasks kept so a test can wait for the stream's background work. */
function hooksFor(stopUpstream: () => Promise<void> = async () => undefined, onClientGone?: () => void) {
  const tasks: Promise<unknown>[] = [];
  const ends: boolean[] = [];
  const hooks: ByteStreamHooks = {
    stopUpstream,
    waitUntil: (task) => void tasks.push(task),
    onEnd: (delivered) => void ends.push(delivered),
  };
  if (onClientGone !== undefined) hooks.onClientGone = onClientGone;
  return { hooks, tasks, ends, settled: () => Promise.all(tasks) };
}

describe("toByteStream", () => {
  const frames = Array.from({ length: 50 }, (_, i) => `data: ${i}\n\n`);

  it("delivers every frame, in order, byte for byte (ready frames may share a chunk)", async () => {
    const { hooks, tasks, ends, settled } = hooksFor();
    const { text, reads, error } = await readAll(toByteStream(framesOf(frames), hooks));
    expect(error).toBeUndefined();
    // The task that drives the stream is handed to waitUntil once, and ends with the stream.
    expect(tasks).toHaveLength(1);
    await settled();
    expect(ends).toEqual([true]);
    expect(text).toBe(frames.join(""));
    expect(reads).toBeGreaterThanOrEqual(1);
    expect(reads).toBeLessThanOrEqual(frames.length);
  });

  it("sends the first frame on its own", async () => {
    const reader = toByteStream(framesOf(frames), hooksFor().hooks).getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe(frames[0]);
    await reader.cancel();
  });

  it("delivers the frames that came before a failure, then errors and stops the upstream", async () => {
    let stopped = 0;
    let gone = 0;
    const boom = new Error("upstream broke");
    const { hooks, ends, settled } = hooksFor(
      async () => {
        stopped++;
      },
      () => gone++,
    );
    const { text, error } = await readAll(toByteStream(framesOf(frames.slice(0, 5), boom), hooks));
    await settled();
    expect(ends).toEqual([false]);
    expect(text).toBe(frames.slice(0, 5).join(""));
    // The native stream hands the reader a copy of the error (same message), not the object itself.
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(boom.message);
    expect(stopped).toBe(1);
    // A failure is not a client that left (the bill must say "failed", not "client disconnected").
    expect(gone).toBe(0);
  });

  it("on cancel: tells the caller, stops the upstream and closes the frames", async () => {
    const calls: string[] = [];
    async function* endless(): AsyncGenerator<string> {
      try {
        for (let i = 0; ; i++) {
          yield `data: ${i}\n\n`;
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      } finally {
        calls.push("frames closed");
      }
    }
    const { hooks, ends, settled } = hooksFor(
      async () => {
        calls.push("upstream stopped");
      },
      () => calls.push("client gone"),
    );
    const reader = toByteStream(endless(), hooks).getReader();
    await reader.read();
    await reader.read();
    await reader.cancel();
    // The cleanup runs in the waitUntil task: nothing but the runtime waits for it once the client is gone.
    await settled();
    expect(ends).toEqual([false]);
    // A pull still in flight when the client left may stop the upstream a second time (stopping is idempotent).
    expect([...new Set(calls)]).toEqual(["client gone", "upstream stopped", "frames closed"]);
    expect(calls.filter((c) => c === "client gone")).toHaveLength(1);
  });
});
