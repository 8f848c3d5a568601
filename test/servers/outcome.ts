import type { ServerResponse } from "node:http";
import { isOpen, sendJson, sleep, startSse, writeAndFlush } from "../../local/http";
import type { SseFrame } from "../../local/sse";
import { type Directives, NEGATIVE_ZERO } from "./directives";
import type { FakeAnswer } from "./recorder";

/** The fake's own counts for an answer it generated (recorded for tests, see FakeAnswer). */
export type AnswerCounts = Pick<FakeAnswer, "promptTokens" | "completionTokens" | "reportedUsage">;

/** What a route decided to answer, before faults are applied. Routes build outcomes; only this file writes bytes. */
export type Outcome =
  | { kind: "json"; status: number; body: unknown; headers?: Record<string, string>; answer?: AnswerCounts }
  /** A non-JSON body (a JSONL file's content). */
  | { kind: "text"; status: number; contentType: string; body: string; answer?: AnswerCounts }
  /** `errorFrame` is the provider-shaped error event sent by `error_mid_stream`. */
  | { kind: "sse"; frames: SseFrame[]; errorFrame: SseFrame; answer?: AnswerCounts }
  /** A binary event stream (Bedrock's `application/vnd.amazon.eventstream`); `content` frames count like SSE ones. */
  | {
      kind: "binary";
      contentType: string;
      frames: { bytes: Uint8Array; content: boolean }[];
      errorFrame: Uint8Array;
      answer?: AnswerCounts;
    };

/** Progress of a written stream: content events sent so far, and whether every frame was written. */
export interface StreamProgress {
  contentEvents: number;
  completed: boolean;
}

const PIECE_SIZES = [3, 1, 7, 2, 5, 4, 6];
const GARBAGE_JSON = '{"id": "garbage", "choices": [{"message": ';

/** Index just after the n-th content frame (n = 0: before the first one; fewer than n: after the last one). */
export function cutIndex(frames: readonly { content?: boolean }[], n: number): number {
  let seen = 0;
  let first = -1;
  let afterLast = -1;
  for (let i = 0; i < frames.length; i++) {
    if (!frames[i]?.content) continue;
    if (first === -1) first = i;
    seen += 1;
    afterLast = i + 1;
    if (seen === n) return i + 1;
  }
  const fallback = Math.min(1, frames.length);
  if (n === 0) return first === -1 ? fallback : first;
  return afterLast === -1 ? fallback : afterLast;
}

function corrupt(frame: SseFrame): SseFrame {
  return { ...frame, text: frame.text.replace(/^data: .*$/m, "data: {not valid json") };
}

/** JSON.stringify cannot write `-0`; the `negative_zero` usage fault puts a marker where it belongs. */
function onWire(text: string): string {
  return text.replaceAll(`"${NEGATIVE_ZERO}"`, "-0");
}

async function writeFrame(res: ServerResponse, raw: string, split: boolean): Promise<void> {
  const text = onWire(raw);
  if (!split) return writeAndFlush(res, text);
  return writeBytes(res, Buffer.from(text, "utf8"), true);
}

async function writeSse(
  res: ServerResponse,
  outcome: Extract<Outcome, { kind: "sse" }>,
  d: Directives,
  progress: StreamProgress,
) {
  let frames = outcome.frames;
  if (d.garbage) {
    const target = frames.findIndex((f) => f.content);
    const at = target === -1 ? 0 : target;
    frames = frames.map((f, i) => (i === at ? corrupt(f) : f));
  }
  const stopAfter = d.errorMidStream ?? d.dropAfter ?? d.endAfter;
  const end = stopAfter === undefined ? frames.length : cutIndex(frames, stopAfter);

  startSse(res);
  for (let i = 0; i < end && isOpen(res); i++) {
    if (i > 0) await sleep(d.chunkDelayMs);
    const frame = frames[i];
    if (frame === undefined) break;
    const text = d.split && i % 2 === 1 ? frame.text.replaceAll("\n", "\r\n") : frame.text;
    await writeFrame(res, text, d.split);
    if (frame.content && isOpen(res)) progress.contentEvents += 1;
  }
  if (!isOpen(res)) return;
  if (d.errorMidStream !== undefined) {
    await sleep(d.chunkDelayMs);
    await writeFrame(res, outcome.errorFrame.text, d.split);
    res.end();
  } else if (d.dropAfter !== undefined) {
    res.destroy();
  } else if (d.endAfter !== undefined) {
    res.end();
  } else {
    res.end();
    progress.completed = true;
  }
}

function writeJson(res: ServerResponse, outcome: Extract<Outcome, { kind: "json" }>, d: Directives): void {
  if (d.garbage && outcome.status < 400) {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(GARBAGE_JSON);
    return;
  }
  if (d.dropAfter !== undefined && outcome.status < 400) {
    // A non-streamed answer cut mid-body: headers and half the JSON, then a dead socket.
    const text = JSON.stringify(outcome.body);
    res.writeHead(outcome.status, { "content-type": "application/json", ...outcome.headers });
    res.write(text.slice(0, Math.floor(text.length / 2)), () => res.destroy());
    return;
  }
  const plain = JSON.stringify(outcome.body);
  const text = onWire(plain);
  if (text === plain) {
    sendJson(res, outcome.status, outcome.body, outcome.headers);
    return;
  }
  res.writeHead(outcome.status, { "content-type": "application/json", ...outcome.headers });
  res.end(text);
}

async function writeBytes(res: ServerResponse, bytes: Uint8Array, split: boolean): Promise<void> {
  if (!split) return writeAndFlush(res, bytes);
  // Byte-sized pieces cut through CRLF pairs and multi-byte characters, as real networks do.
  let k = 0;
  for (let i = 0; i < bytes.length && isOpen(res); k++) {
    const size = PIECE_SIZES[k % PIECE_SIZES.length] ?? 1;
    await writeAndFlush(res, bytes.subarray(i, i + size));
    await new Promise((resolve) => setImmediate(resolve));
    i += size;
  }
}

async function writeBinary(
  res: ServerResponse,
  outcome: Extract<Outcome, { kind: "binary" }>,
  d: Directives,
  progress: StreamProgress,
) {
  const stopAfter = d.errorMidStream ?? d.dropAfter ?? d.endAfter;
  const end = stopAfter === undefined ? outcome.frames.length : cutIndex(outcome.frames, stopAfter);
  res.writeHead(200, { "content-type": outcome.contentType });
  for (let i = 0; i < end && isOpen(res); i++) {
    if (i > 0) await sleep(d.chunkDelayMs);
    const frame = outcome.frames[i];
    if (frame === undefined) break;
    await writeBytes(res, frame.bytes, d.split);
    if (frame.content && isOpen(res)) progress.contentEvents += 1;
  }
  if (!isOpen(res)) return;
  if (d.errorMidStream !== undefined) {
    await writeBytes(res, outcome.errorFrame, d.split);
    res.end();
  } else if (d.dropAfter !== undefined) {
    res.destroy();
  } else {
    res.end();
    if (d.endAfter === undefined) progress.completed = true;
  }
}

/** `progress` (streams only) is updated as frames are written, so a recorder can tell what really went out. */
export async function writeOutcome(
  res: ServerResponse,
  outcome: Outcome,
  d: Directives,
  progress: StreamProgress = { contentEvents: 0, completed: false },
): Promise<void> {
  if (!isOpen(res)) return;
  if (outcome.kind === "json") writeJson(res, outcome, d);
  else if (outcome.kind === "text") {
    res.writeHead(outcome.status, { "content-type": outcome.contentType });
    res.end(outcome.body);
  } else if (outcome.kind === "binary") await writeBinary(res, outcome, d, progress);
  else await writeSse(res, outcome, d, progress);
}
