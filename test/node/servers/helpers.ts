import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { parseSse, type SseEvent } from "../../../src/streaming/sse";

export function openAiClient(baseURL: string, extraHeaders: Record<string, string> = {}): OpenAI {
  return new OpenAI({ baseURL, apiKey: "sk-test-key", maxRetries: 0, defaultHeaders: extraHeaders });
}

export function anthropicClient(baseURL: string): Anthropic {
  return new Anthropic({ baseURL, apiKey: "ak-test-key", maxRetries: 0 });
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

/** Every SSE event of a response; `error` is set when the connection broke before the stream ended cleanly. */
export async function collectSse(res: Response): Promise<{ events: SseEvent[]; error?: unknown }> {
  const events: SseEvent[] = [];
  if (res.body === null) return { events };
  try {
    for await (const ev of parseSse(res.body)) events.push(ev);
    return { events };
  } catch (error) {
    return { events, error };
  }
}

export function jsonData(events: readonly SseEvent[]): unknown[] {
  return events.filter((e) => e.data !== "[DONE]").map((e) => JSON.parse(e.data) as unknown);
}

export function userChat(text: string, model = "fake-small") {
  return { model, messages: [{ role: "user" as const, content: text }] };
}
