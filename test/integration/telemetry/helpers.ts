import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { TEST_KEYS } from "../../helpers/keys";
import type { ReceivedPoint, ReceivedSpan } from "../../servers/otlp-receiver/server";
import worker from "../../worker";

/**
 * Drives the Worker under test with telemetry on (an env of its own pointing at the loopback OTLP receiver) and reads
 * back what the receiver decoded. Each call waits for the request's background work, export included, so no polling.
 */
const base = env as unknown as Record<string, unknown>;

export function receiverUrl(): string {
  return String(base.OTLP_RECEIVER_URL);
}

/** One env object per configuration: the Worker builds its services (and telemetry) once per env object. */
const envs = new Map<string, Record<string, unknown>>();

export function tracedEnv(vars: Record<string, string> = {}): Record<string, unknown> {
  const key = JSON.stringify(vars);
  let e = envs.get(key);
  if (e === undefined) {
    e = {
      ...base,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl(),
      OTEL_EXPORTER_OTLP_HEADERS: "authorization=Bearer%20otel-secret,x-team=gateway",
      OTEL_SERVICE_NAME: "gateway-under-test",
      // Every request sends its batch and its metrics, so a test sees them once the request's waitUntil is done.
      OTEL_BSP_SCHEDULE_DELAY: "0",
      OTEL_METRIC_EXPORT_INTERVAL: "0",
      ...vars,
    };
    envs.set(key, e);
  }
  return e;
}

export const UNTRACED_ENV = base;

export interface Sent {
  res: Response;
  text: string;
  requestId: string;
}

export async function send(
  workerEnv: Record<string, unknown>,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
  key: string = TEST_KEYS.main.key,
): Promise<Sent> {
  const req = new Request(`http://gateway.test${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  const ctx = createExecutionContext();
  const res = await worker.fetch(req, workerEnv, ctx);
  const text = await res.text();
  await waitOnExecutionContext(ctx);
  return { res, text, requestId: res.headers.get("x-request-id") ?? "" };
}

export async function spansWhere(attr: string, value: string): Promise<ReceivedSpan[]> {
  const res = await fetch(`${receiverUrl()}/__spans?attr=${encodeURIComponent(`${attr}=${value}`)}`);
  return (await res.json()) as ReceivedSpan[];
}

/** Every span of the trace whose root carries this request id (empty when nothing was exported). */
export async function traceOf(requestId: string): Promise<ReceivedSpan[]> {
  const roots = await spansWhere("gateway.request_id", requestId);
  const root = roots[0];
  if (root === undefined) return [];
  const res = await fetch(`${receiverUrl()}/__spans?trace=${root.traceId}`);
  return (await res.json()) as ReceivedSpan[];
}

export async function metricPoints(): Promise<ReceivedPoint[]> {
  return (await (await fetch(`${receiverUrl()}/__metrics`)).json()) as ReceivedPoint[];
}

export async function exportsReceived(): Promise<
  { path: string; headers: Record<string, string>; status: number; reason?: string }[]
> {
  return (await (await fetch(`${receiverUrl()}/__exports`)).json()) as {
    path: string;
    headers: Record<string, string>;
    status: number;
    reason?: string;
  }[];
}

/** Everything the receiver holds, as text: for "this never left the gateway" checks. */
export async function everythingReceived(): Promise<string> {
  const [spans, points] = await Promise.all([
    fetch(`${receiverUrl()}/__spans`).then((r) => r.text()),
    fetch(`${receiverUrl()}/__metrics`).then((r) => r.text()),
  ]);
  return spans + points;
}

export function nonce(): string {
  return `otel-${crypto.randomUUID().slice(0, 8)}`;
}
