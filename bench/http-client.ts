/**
 * One request at a time over a kept-alive loopback connection, with the timings autocannon cannot give: time to the
 * first body byte and to the last. node:http is used rather than fetch because its 'data' events are the moment the
 * bytes arrive, with no stream machinery in between.
 */
import { type Agent, request } from "node:http";
import { COMPLETION_TEXT } from "./upstream";

export interface Target {
  /** Unique per target, e.g. "gateway-do". */
  id: string;
  /**
   * direct: the floor; passthrough: the reference Worker; reading: a passthrough that reads the answer in JS (what
   * any Worker that meters tokens pays at least); floor: the passthrough plus no-op Durable Object calls (what any
   * per-request Durable Object ledger pays at least); gateway: what is being judged against them.
   */
  role: "direct" | "passthrough" | "reading" | "floor" | "gateway";
  label: string;
  /** Full URL of the chat completions endpoint. */
  url: string;
  headers: Record<string, string>;
  /** The process whose CPU counts for this target (the upstream for direct, the Worker's workerd otherwise). */
  cpuPid: number;
  /**
   * Processes outside the Worker that serve each of its requests (the Upstash ledger's REST front and redis-server):
   * their CPU is measured too, and reported apart, since a hosted store would run elsewhere.
   */
  sideCpu?: { label: string; pids: number[] };
  /** The `model` its requests name (default `small`; the learned-router row names its route). */
  model?: string;
  agent: Agent;
}

export interface TimedResponse {
  status: number;
  contentType: string;
  /** ms from sending the request to the first body byte. */
  ttfb: number;
  /** ms from sending the request to the end of the body. */
  total: number;
  body: string;
}

const REQUEST_TIMEOUT_MS = 10_000;

export function chatBody(options: { stream: boolean; content?: string; model?: string | undefined }): string {
  const body: Record<string, unknown> = {
    model: options.model ?? "small",
    messages: [{ role: "user", content: options.content ?? "Say hello" }],
  };
  if (options.stream) body.stream = true;
  return JSON.stringify(body);
}

export function timedRequest(target: Target, body: string): Promise<TimedResponse> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    let ttfb = -1;
    const parts: Buffer[] = [];
    const req = request(
      target.url,
      {
        method: "POST",
        agent: target.agent,
        headers: { ...target.headers, "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        timeout: REQUEST_TIMEOUT_MS,
      },
      (res) => {
        res.on("data", (part: Buffer) => {
          if (ttfb < 0) ttfb = performance.now() - start;
          parts.push(part);
        });
        res.on("end", () => {
          const total = performance.now() - start;
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers["content-type"] ?? ""),
            ttfb: ttfb < 0 ? total : ttfb,
            total,
            body: Buffer.concat(parts).toString("utf8"),
          });
        });
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer from ${target.url} in ${REQUEST_TIMEOUT_MS} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}

/** The text content of an OpenAI chat completion, or of an OpenAI SSE stream (concatenated deltas). */
export function completionText(response: TimedResponse): string | undefined {
  try {
    if (response.contentType.includes("text/event-stream")) {
      let text = "";
      for (const line of response.body.split("\n")) {
        if (!line.startsWith("data:")) continue;
        const data = line.slice(5).trim();
        if (data === "[DONE]") continue;
        const chunk = JSON.parse(data) as { choices?: { delta?: { content?: unknown } }[] };
        const content = chunk.choices?.[0]?.delta?.content;
        if (typeof content === "string") text += content;
      }
      return text;
    }
    const parsed = JSON.parse(response.body) as { choices?: { message?: { content?: unknown } }[] };
    const content = parsed.choices?.[0]?.message?.content;
    return typeof content === "string" ? content : undefined;
  } catch {
    return undefined;
  }
}

export type Readiness = { ok: true } | { ok: false; reason: string };

/** One JSON and one streamed request; both must be 200 and carry the bench upstream's own answer. */
export async function checkTarget(target: Target): Promise<Readiness> {
  for (const stream of [false, true]) {
    let response: TimedResponse;
    try {
      response = await timedRequest(target, chatBody({ stream, model: target.model }));
    } catch (error) {
      return { ok: false, reason: `${stream ? "stream" : "JSON"} request failed: ${String(error)}` };
    }
    const text = completionText(response);
    if (response.status !== 200 || text !== COMPLETION_TEXT) {
      const what = response.status !== 200 ? "" : " (answer did not come from the bench upstream)";
      return { ok: false, reason: `${stream ? "stream" : "JSON"}: ${response.status}${what} ${clip(response.body)}` };
    }
    if (stream && !response.body.includes("data: [DONE]")) {
      return { ok: false, reason: `stream did not end with [DONE]: ${clip(response.body)}` };
    }
  }
  return { ok: true };
}

function clip(text: string, max = 600): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
