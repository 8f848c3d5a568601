import type { Services } from "../context";
import { defaultAllowedPorts } from "../policy/tool-url";
import { safeFetch } from "../tools/fetch-safe";
import { resolveAllowlist } from "../tools/host-allowlist";
import { fillPlaceholders } from "../tools/placeholders";
import type { BatchObject } from "./types";

/**
 * The batch completion webhook (`tenants.<id>.batch_webhook`), signed as Standard Webhooks specify: `webhook-id`
 * (stable across retries, so a receiver can drop repeats), `webhook-timestamp` (Unix seconds of this attempt) and
 * `webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, keyed by the secret after `whsec_`
 * (base64-decoded). It leaves the Worker only through the tools' guarded fetch: the allowlist, special addresses
 * refused unless listed with an exact port, cloud metadata never, no redirects.
 */

const bytes = (text: string) => new TextEncoder().encode(text);

function signingKey(secret: string): Uint8Array {
  if (!secret.startsWith("whsec_")) return bytes(secret);
  const raw = atob(secret.slice("whsec_".length));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

/** The `webhook-signature` value for one delivery. */
export async function signWebhook(secret: string, id: string, timestamp: number, body: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", signingKey(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, bytes(`${id}.${timestamp}.${body}`)));
  return `v1,${btoa(String.fromCharCode(...mac))}`;
}

/** The event for a batch that ended: `batch.completed`, `batch.failed`, `batch.cancelled` or `batch.expired`. */
export function webhookEvent(batch: BatchObject, nowMs: number): { id: string; body: string } {
  const body = JSON.stringify({ type: `batch.${batch.status}`, timestamp: new Date(nowMs).toISOString(), data: batch });
  return { id: `msg_${batch.id}`, body };
}

export type WebhookResult =
  | { kind: "sent" | "none" }
  /** `permanent`: trying again cannot help (a missing secret or variable, a refused URL). */
  | { kind: "failed"; permanent: boolean; message: string };

/** Sends the tenant's webhook for `batch` once. */
export async function sendBatchWebhook(services: Services, tenantId: string, batch: BatchObject) {
  const hook = services.policy.tenants[tenantId]?.batch_webhook;
  if (hook === undefined) return { kind: "none" } satisfies WebhookResult;
  const lookup = (name: string) => services.env.secret(name);
  const fail = (permanent: boolean, message: string): WebhookResult => ({ kind: "failed", permanent, message });
  const secret = lookup(hook.secret);
  if (secret === undefined || secret === "") return fail(true, `the signing secret ${hook.secret} is not set`);
  const url = fillPlaceholders(hook.url, lookup);
  if (!url.ok) return fail(true, `the webhook URL needs variable ${url.missing}, which is not set`);
  const scheme = url.value.startsWith("https:") ? "https" : "http";
  const allowed = resolveAllowlist(hook.allowed_hosts, defaultAllowedPorts(scheme), lookup);
  if (!allowed.ok) return fail(true, allowed.reason);
  const event = webhookEvent(batch, services.now());
  const timestamp = Math.floor(services.now() / 1000);
  const res = await safeFetch(
    {
      method: "POST",
      url: url.value,
      headers: {
        "content-type": "application/json",
        "webhook-id": event.id,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": await signWebhook(secret, event.id, timestamp, event.body),
      },
      body: event.body,
    },
    { fetch: services.fetch, allowlist: allowed.allowlist, maxRedirects: 0, maxBytes: 4096, timeoutMs: 10_000 },
  );
  if (res.ok && res.status >= 200 && res.status < 300) return { kind: "sent" } satisfies WebhookResult;
  if (!res.ok && res.code === "tool_target_refused") return fail(true, res.message);
  return fail(false, res.ok ? `the receiver answered ${res.status}` : res.message);
}
