import { env, exports } from "cloudflare:workers";
import { TEST_KEYS } from "./keys";

/** Calls the Worker under test (inside workerd) the way a client would. */
export async function gw(path: string, init: RequestInit & { key?: string | null } = {}): Promise<Response> {
  const { key = TEST_KEYS.main.key, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (key !== null && !headers.has("authorization")) headers.set("authorization", `Bearer ${key}`);
  if (rest.body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
  return exports.default.fetch(new Request(`http://gateway.test${path}`, { ...rest, headers }));
}

export function postJson(path: string, body: unknown, init: RequestInit & { key?: string | null } = {}) {
  return gw(path, { ...init, method: "POST", body: JSON.stringify(body) });
}

export function upstreamUrl(): string {
  return String((env as unknown as Record<string, unknown>).FAKE_UPSTREAM_URL);
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

/** What the fake upstream received, filtered by a substring of the JSON body (tests put a unique nonce there). */
export async function upstreamRequests(contains: string): Promise<RecordedRequest[]> {
  const res = await fetch(`${upstreamUrl()}/__requests?contains=${encodeURIComponent(contains)}`);
  return (await res.json()) as RecordedRequest[];
}

export function nonce(label = "n"): string {
  return `${label}-${crypto.randomUUID().slice(0, 8)}`;
}

export function userMessage(text: string) {
  return [{ role: "user", content: text }];
}

/** Reads an SSE body into its `data:` payloads (and `event:` names when present). */
export async function readSse(res: Response): Promise<{ event?: string; data: string }[]> {
  const text = await res.text();
  const events: { event?: string; data: string }[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    if (block.trim() === "") continue;
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
    }
    events.push(event === undefined ? { data: data.join("\n") } : { event, data: data.join("\n") });
  }
  return events;
}
