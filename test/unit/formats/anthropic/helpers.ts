import type { ChatChunk, ChunkEvent } from "../../../../src/canonical/chat";

/** The body of an upstream response, cut into pieces of `size` bytes (0: one piece), as a network may deliver it. */
export function bodyOf(text: string, size = 0): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  const step = size > 0 ? size : bytes.length;
  return new ReadableStream({
    start(controller) {
      for (let i = 0; i < bytes.length; i += step) controller.enqueue(bytes.slice(i, i + step));
      controller.close();
    },
  });
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** The parts of chunks a translation decides; ids and timestamps are checked separately. */
export function essentials(events: ChunkEvent[]): unknown[] {
  return events.map(({ chunk }: { chunk: ChatChunk }) =>
    chunk.usage ? { choices: chunk.choices, usage: chunk.usage } : { choices: chunk.choices },
  );
}

export async function* iterate<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

export function sseEvents(text: string): { event: string; data: Record<string, unknown> }[] {
  return text
    .split("\n\n")
    .filter((frame) => frame !== "")
    .map((frame) => {
      const lines = frame.split("\n");
      const event = lines.find((l) => l.startsWith("event: "))?.slice(7) ?? "";
      const data = lines.find((l) => l.startsWith("data: "))?.slice(6) ?? "{}";
      return { event, data: JSON.parse(data) as Record<string, unknown> };
    });
}
