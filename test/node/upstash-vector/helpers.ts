import { randomUUID } from "node:crypto";
import { Index } from "@upstash/vector";
import type { LocalUpstashVector } from "../../servers/upstash-vector";

/** A namespace no other test uses, so tests in one file can share one index. */
export function namespace(label: string): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}

export function client(local: Pick<LocalUpstashVector, "url" | "token">, token = local.token): Index {
  return new Index({ url: local.url, token, retry: false, enableTelemetry: false });
}

/** A unit vector at `degrees` in the plane of the first two axes, zero elsewhere. */
export function atAngle(degrees: number, dimensions: number): number[] {
  const radians = (degrees * Math.PI) / 180;
  const out = new Array<number>(dimensions).fill(0);
  out[0] = Math.cos(radians);
  out[1] = Math.sin(radians);
  return out;
}

/** Upstash's COSINE score for two vectors `degrees` apart. */
export function cosineScore(degrees: number): number {
  return (1 + Math.cos((degrees * Math.PI) / 180)) / 2;
}

export interface RawReply {
  status: number;
  body: unknown;
}

/** A request the way the protocol spells it, without the client in the way. */
export async function raw(
  local: Pick<LocalUpstashVector, "url" | "token">,
  path: string,
  body: unknown,
  token: string | null = local.token,
): Promise<RawReply> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${local.url}${path}`, { method: "POST", headers, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as unknown };
}
