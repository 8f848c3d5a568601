import { env } from "cloudflare:workers";
import type { UsageEvent } from "../../src/ledger/types";
import type { ToolTargetRequest } from "../servers/tool-target/recorder";
import { type Account, type Backend, sleep } from "./billing";

export function toolTargetUrl(): string {
  return String((env as unknown as Record<string, unknown>).TOOL_TARGET_URL);
}

/** What the loopback tool target received, filtered by a substring of the recorded request. */
export async function toolTargetRequests(contains: string): Promise<ToolTargetRequest[]> {
  const res = await fetch(`${toolTargetUrl()}/__requests?contains=${encodeURIComponent(contains)}`);
  return (await res.json()) as ToolTargetRequest[];
}

/** A tool call's audit event (a usage event with a `tool` part), once its write landed; bounded wait. */
export async function auditOf(b: Backend, a: Account, requestId: string, timeoutMs = 10_000): Promise<UsageEvent> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = await b.ledger.usage(a.tenantId, { keyId: a.keyId, limit: 1000 });
    const event = events.find((e) => e.requestId === requestId);
    if (event !== undefined) return event;
    if (Date.now() > deadline) throw new Error(`no audit event for ${requestId} after ${timeoutMs} ms`);
    await sleep(25);
  }
}
