/**
 * The targets the bench measures: start each Worker under its own workerd, and for the gateways the settings a
 * deploy would give them (wrangler.toml's vars and Durable Objects), a static bench key, an admin secret, and
 * credits on the key's account so that every request is admitted (a request is answered 402 without them).
 */
import { createHash, randomBytes } from "node:crypto";
import { Agent } from "node:http";
import { join } from "node:path";
import type { BuiltWorker, GatewaySettings } from "./build";
import type { Target } from "./http-client";
import { freePort, type RunningProcess, startWorkerd } from "./processes";
import { type DurableObjectSpec, writeWorkerdConfig } from "./workerd-config";

export const CHAT_PATH = "/v1/chat/completions";
/** The bench key's `key_id` in GATEWAY_STATIC_KEYS: also the id of the credit account its requests are billed on. */
export const BENCH_KEY_ID = "bench";
/** The bench policy's tenant (bench/policies/bench.yaml); `acme-overlap` is the same with overlapped admission. */
export const BENCH_TENANT = "acme";
/** Micro-credits put on the bench account: the largest single top-up the admin API takes (1e9 credits). */
const FUNDING = 1_000_000_000_000_000;

export interface WorkerToStart {
  name: string;
  built: BuiltWorker;
  vars: Record<string, string>;
  durableObjects?: DurableObjectSpec[];
  /** Where its Durable Objects keep their data (emptied first); default `<outDir>/<name>-do-storage`. */
  durableObjectDir?: string;
}

export interface StartedWorker {
  process: RunningProcess;
  /** http://127.0.0.1:PORT */
  base: string;
  /** Durable Object classes named in the settings that the bundle does not export (left out of the config). */
  skippedDurableObjects: string[];
}

export async function startWorker(worker: WorkerToStart, outDir: string, workerdBin: string): Promise<StartedWorker> {
  const port = await freePort();
  const { configPath, skippedDurableObjects } = writeWorkerdConfig(
    {
      ...worker.built,
      name: worker.name,
      port,
      vars: worker.vars,
      durableObjects: worker.durableObjects ?? [],
      ...(worker.durableObjectDir === undefined ? {} : { durableObjectDir: worker.durableObjectDir }),
    },
    join(outDir, `${worker.name}.capnp`),
  );
  const base = `http://127.0.0.1:${port}`;
  const running = await startWorkerd(
    worker.name,
    workerdBin,
    configPath,
    `${base}/`,
    join(outDir, `${worker.name}.log`),
  );
  return { process: running, base, skippedDurableObjects };
}

export function makeTarget(
  fields: Pick<Target, "id" | "role" | "label" | "url" | "cpuPid"> & {
    sideCpu?: Target["sideCpu"];
    model?: string;
  },
  apiKey: string,
): Target {
  return {
    ...fields,
    headers: { authorization: `Bearer ${apiKey}` },
    agent: new Agent({ keepAlive: true, maxSockets: 1 }),
  };
}

export interface GatewayCommon {
  settings: GatewaySettings;
  upstreamUrl: string;
  apiKey: string;
  /** One per run: the admin API is only used to fund the bench account. */
  adminSecret: string;
}

export function newAdminSecret(): string {
  return randomBytes(24).toString("hex");
}

/** What every gateway gets, whatever its ledger: the deploy's vars plus the bench's origin, key and admin secret. */
export function gatewayVars(common: GatewayCommon, tenant = BENCH_TENANT): Record<string, string> {
  const keyHash = createHash("sha256").update(common.apiKey).digest("hex");
  return {
    ...common.settings.vars,
    // The bench policy routes `small` to provider local-origin with base_url ${LOCAL_ORIGIN_URL}.
    LOCAL_ORIGIN_URL: `${common.upstreamUrl}/v1`,
    GATEWAY_STATIC_KEYS: JSON.stringify([{ key_id: BENCH_KEY_ID, tenant, sha256: keyHash }]),
    ADMIN_SECRET: common.adminSecret,
    MAX_BODY_BYTES: common.settings.vars.MAX_BODY_BYTES ?? "4194304",
  };
}

/**
 * Tops up the bench account through the admin API, so the ledger the gateway uses holds the credits (idempotent per
 * reference, and each run starts from empty storage anyway). Returns an error text, or undefined when funded.
 */
export async function fundBenchAccount(
  base: string,
  adminSecret: string,
  tenant = BENCH_TENANT,
): Promise<string | undefined> {
  const url = `${base}/admin/accounts/${BENCH_KEY_ID}/credits`;
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { authorization: `Bearer ${adminSecret}`, "content-type": "application/json" },
      body: JSON.stringify({ tenant, amount: FUNDING, reference: "bench-seed", type: "topup" }),
      signal: AbortSignal.timeout(10_000),
    });
    if (response.ok) return undefined;
    return `funding the bench account failed: ${response.status} ${await response.text()}`;
  } catch (error) {
    return `funding the bench account failed: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** The bench account's ledger after the run, for the report: proves requests were billed and holds resolved. */
export async function ledgerSummary(base: string, adminSecret: string, tenant = BENCH_TENANT): Promise<string> {
  const url = `${base}/admin/accounts/${BENCH_KEY_ID}/balance?tenant=${tenant}`;
  try {
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${adminSecret}` },
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    if (!response.ok) return `ledger balance unavailable: ${response.status} ${text}`;
    const b = JSON.parse(text) as { billed?: unknown; held?: unknown; open_holds?: unknown };
    const n = (value: unknown) => (typeof value === "number" ? value.toLocaleString("en-US") : String(value));
    return `ledger after the run: billed ${n(b.billed)} micro-credits, ${n(b.open_holds)} open holds (${n(b.held)} held)`;
  } catch (error) {
    return `ledger balance unavailable: ${error instanceof Error ? error.message : String(error)}`;
  }
}
