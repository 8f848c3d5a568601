/**
 * `npx tsx bench/tracer-cpu.ts`: the tracer's own CPU per request, apart from the noise of a loaded machine that the
 * end-to-end bench (the "tracing on" row) cannot see below. Each simulated request builds what the gateway builds for a
 * JSON chat: a root span and five children (authenticate, cache, admit, one upstream attempt, settle) with their
 * attributes, completes its trace, and (every batch) encodes the OTLP/HTTP JSON export; the export's fetch is a no-op.
 * The same loop with telemetry off (the shared no-op span) is the baseline. Both in this process, interleaved.
 */

import type { UsageEvent } from "../src/ledger/types";
import { ATTR, SpanKind } from "../src/observability/attributes";
import { telemetryConfig } from "../src/observability/config";
import { OtelEnvSchema } from "../src/observability/env-config";
import { createTelemetry, TELEMETRY_OFF, type Telemetry } from "../src/observability/telemetry";
import { recordUsage } from "../src/observability/usage";

const config = telemetryConfig(OtelEnvSchema.parse({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9" }));
if (config === undefined) throw new Error("telemetry config did not parse");
let exported = 0;
const on = createTelemetry(config, {
  fetch: async (_url, init) => {
    exported += String(init?.body ?? "").length;
    return new Response("{}");
  },
  now: Date.now,
});
const usage: UsageEvent = {
  requestId: "req_x",
  at: 0,
  tenantId: "acme",
  keyId: "k",
  inputTokens: 120,
  outputTokens: 64,
  cost: 312,
  cache: "miss",
  latencyMs: 3,
  status: 200,
  policyVersion: "sha256:x",
  flags: [],
};
const pending: Promise<unknown>[] = [];
const waitUntil = (p: Promise<unknown>) => void pending.push(p);

function request(t: Telemetry, i: number): void {
  const root = t.startRequest("POST /v1/chat/completions", SpanKind.server, undefined, waitUntil);
  root.set(ATTR.httpMethod, "POST");
  root.set(ATTR.requestId, `req_${i}`);
  root.set(ATTR.operationName, "chat");
  const auth = root.child("gateway.authenticate");
  auth.set(ATTR.tenant, "acme");
  auth.end();
  if (root.recording) root.set(ATTR.requestModel, "auto");
  const cache = root.child("gateway.cache");
  cache.set(ATTR.cache, "miss");
  cache.end();
  const admit = root.child("gateway.admit");
  admit.set(ATTR.decision, "admitted");
  admit.end();
  const attempt = root.child("chat small-1", SpanKind.client);
  if (attempt.recording) {
    attempt.set(ATTR.operationName, "chat");
    attempt.set(ATTR.requestModel, "small-1");
    attempt.set(ATTR.providerName, "vllm");
    attempt.set(ATTR.serverAddress, "127.0.0.1");
  }
  t.outbound(attempt, "upstreams");
  attempt.end();
  const release = root.hold();
  const settle = root.child("gateway.settle");
  recordUsage(settle, root, usage);
  release();
  settle.end();
  root.set(ATTR.httpStatus, 200);
  root.set(ATTR.providerName, "vllm");
  root.updateName("chat auto");
  root.end();
}

function cpuPerRequest(t: Telemetry, n: number): number {
  const before = process.cpuUsage();
  for (let i = 0; i < n; i++) request(t, i);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / n;
}

const N = 20_000;
const runs: { off: number; on: number }[] = [];
for (let round = 0; round < 5; round++) {
  runs.push({ off: cpuPerRequest(TELEMETRY_OFF, N), on: cpuPerRequest(on, N) });
  await Promise.all(pending.splice(0));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const off = median(runs.map((r) => r.off));
const onCpu = median(runs.map((r) => r.on));
console.log(`tracer CPU per request (median of 5 × ${N}, Node ${process.version}):`);
console.log(
  `  telemetry off: ${off.toFixed(2)} µs   on (sampled, exported): ${onCpu.toFixed(2)} µs   added: ${(onCpu - off).toFixed(2)} µs`,
);
console.log(`  OTLP JSON exported: ${Math.round(exported / 1024)} KiB for ${5 * N} requests`);
