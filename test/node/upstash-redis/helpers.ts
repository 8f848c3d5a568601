import { randomUUID } from "node:crypto";
import { Redis } from "@upstash/redis";
import type { LocalUpstashRedis } from "../../servers/upstash-redis";

/** A key no other test uses, so tests in one file can share one Redis. */
export function key(label: string): string {
  return `${label}:${randomUUID()}`;
}

export function client(local: Pick<LocalUpstashRedis, "url" | "token">, retry = false): Redis {
  return new Redis({ url: local.url, token: local.token, retry: retry ? undefined : false, enableTelemetry: false });
}

export interface RawReply {
  status: number;
  text: string;
  body: unknown;
}

/** A request the way the Upstash protocol spells it, without the client's decoding in the way. */
export async function raw(
  local: Pick<LocalUpstashRedis, "url" | "token">,
  path: "/" | "/pipeline" | "/multi-exec",
  body: unknown,
  opts: { base64?: boolean; token?: string | null } = {},
): Promise<RawReply> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  const token = opts.token === undefined ? local.token : opts.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (opts.base64 === true) headers["upstash-encoding"] = "base64";
  const res = await fetch(`${local.url}${path}`, { method: "POST", headers, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text) as unknown };
}

export async function control(url: string, action: string): Promise<Response> {
  return fetch(`${url}/__control/${action}`, { method: "POST" });
}
