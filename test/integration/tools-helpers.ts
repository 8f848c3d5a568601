// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` is the placeholder syntax of tool definitions under test.
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import type { Principal } from "../../src/auth/principal";
import { parseEnv } from "../../src/env";
import { selectLedger } from "../../src/ledger/select";
import { settleDurably } from "../../src/ledger/settle-durably";
import type { Ledger, UsageEvent } from "../../src/ledger/types";
import { createUpstashLedger } from "../../src/ledger/upstash";
import type { CompiledPolicy, TenantConfig, ToolConfig, ToolHttpConfig } from "../../src/policy/types";
import type { ToolCall, ToolDeps } from "../../src/tools";
import generated from "../.generated/policy.json";
import { gw } from "../helpers/gateway";
import { createKey, topUp } from "./admin-helpers";

/**
 * Shared by the tool-proxy tests (test/integration/tools-*.test.ts): the real tool target on loopback
 * (test/servers/tool-target), keys of tenant t-tools (test/fixtures/policies/tools.yaml), and a direct line to the
 * executor with hand-written tool definitions for the cases the fixture's tools cannot express.
 */

export const policy = generated as unknown as CompiledPolicy;
const raw = env as unknown as Record<string, unknown>;

export const TARGET_URL = String(raw.TOOL_TARGET_URL);
export const TARGET_HOST = String(raw.TOOL_TARGET_HOST);
export const TOOL_SECRET = String(raw.TOOL_API_SECRET);
export const FAKE_UPSTREAM_URL = String(raw.FAKE_UPSTREAM_URL);
export const UPSTASH_URL = String(raw.UPSTASH_REDIS_REST_URL);

export interface TargetRequest {
  method: string;
  path: string;
  search: string;
  headers: Record<string, string>;
  body: string;
}

/** What the tool target received whose path, query, headers or body contain `marker`. */
export async function targetRequests(marker: string): Promise<TargetRequest[]> {
  const res = await fetch(`${TARGET_URL}/__requests?contains=${encodeURIComponent(marker)}`);
  return (await res.json()) as TargetRequest[];
}

export function marker(label = "m"): string {
  return `${label}${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
}

/** A fresh API key of tenant t-tools, funded unless `credits` is 0. */
export async function toolKey(opts: { tags?: string[]; credits?: number; tenant?: string } = {}) {
  const created = await createKey({ tenant: opts.tenant ?? "t-tools", ...(opts.tags && { tags: opts.tags }) });
  const credits = opts.credits ?? 1_000_000;
  if (credits > 0) await topUp(created.key_id, credits);
  return { key: created.key, keyId: created.key_id };
}

export function invoke(
  name: string,
  args: unknown,
  key: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return gw(`/v1/tools/${encodeURIComponent(name)}/invoke`, {
    method: "POST",
    key,
    headers,
    body: JSON.stringify({ arguments: args }),
  });
}

export interface ErrorBody {
  error: { code: string; message: string; param: string | null; type: string };
  request_id: string;
}

export async function errorOf(res: Response): Promise<ErrorBody["error"]> {
  return ((await res.json()) as ErrorBody).error;
}

export function workerLedger(): Ledger {
  return selectLedger(parseEnv(raw), raw).ledger;
}

export function upstashLedger(): Ledger {
  return createUpstashLedger({
    url: UPSTASH_URL,
    token: String(raw.UPSTASH_REDIS_REST_TOKEN),
    prefix: `gwtools${marker()}:`,
  }).ledger;
}

/** The usage events of one request id (polled: they are written after the response, under waitUntil). */
export async function eventsOf(ledger: Ledger, tenantId: string, keyId: string, requestId: string, want = 1) {
  let events: UsageEvent[] = [];
  for (let i = 0; i < 60; i++) {
    events = (await ledger.usage(tenantId, { keyId, limit: 200 })).filter((e) => e.requestId === requestId);
    if (events.length >= want) return events;
    await new Promise((r) => setTimeout(r, 50));
  }
  return events;
}

export async function sha256(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** A tool definition pointing at the tool target; `impl` overrides implementation fields. */
export function targetTool(
  name: string,
  impl: Partial<ToolHttpConfig> = {},
  extra: Partial<ToolConfig> = {},
): ToolConfig {
  return {
    name,
    description: name,
    parameters: { type: "object", additionalProperties: true },
    max_argument_bytes: 4096,
    price_per_call: 0,
    key_tags: [],
    ...extra,
    implementation: {
      kind: "http",
      method: "GET",
      url: "${TOOL_TARGET_URL}/echo",
      allowed_hosts: ["${TOOL_TARGET_HOST}"],
      allowed_ports: [443, 80],
      headers: {},
      body: "none",
      max_response_bytes: 65_536,
      timeout_ms: 3000,
      max_redirects: 0,
      result: { format: "json", max_chars: 20_000 },
      ...impl,
    },
  };
}

export interface Harness {
  deps: ToolDeps;
  ledger: Ledger;
  principal: Principal;
  /** Runs a call for `principal` with a fresh request id. */
  call(name: string, args: unknown, extra?: Partial<ToolCall>): ToolCall;
}

/**
 * The executor over the Worker's real ledger and the real network (the tool target on loopback), for a funded
 * account of a tenant whose tools are exactly `tools`.
 */
export async function harness(
  tools: ToolConfig[],
  opts: {
    tenant?: Partial<TenantConfig>;
    tags?: string[];
    vars?: Record<string, string>;
    ledger?: Ledger;
    credits?: number;
  } = {},
): Promise<Harness> {
  const ledger = opts.ledger ?? workerLedger();
  const base = policy.tenants["t-tools"];
  if (base === undefined) throw new Error("the test policy has no tenant t-tools");
  const tenant: TenantConfig = { ...base, tools: tools.map((t) => t.name), ...opts.tenant };
  const accountId = `tools-${marker()}`;
  const credits = opts.credits ?? 1_000_000;
  if (credits > 0) await ledger.credit(accountId, tenant.id, credits, `seed-${accountId}`, "topup");
  const principal: Principal = { tenant, accountId, keyId: accountId, source: "api-key" };
  if (opts.tags !== undefined) principal.tags = opts.tags;
  const deps: ToolDeps = {
    policy: { version: policy.version, tools: Object.fromEntries(tools.map((t) => [t.name, t])) },
    ledger,
    fetch: (input, init) => fetch(input, init),
    vars: (name) => opts.vars?.[name] ?? (typeof raw[name] === "string" ? (raw[name] as string) : undefined),
    now: () => Date.now(),
    settle: (op) =>
      settleDurably({ ledger, outbox: undefined, waitUntil: () => undefined }, op).then(
        () => undefined,
        () => undefined,
      ),
  };
  return {
    deps,
    ledger,
    principal,
    call: (name, args, extra = {}) => ({
      principal,
      name,
      arguments: args,
      requestId: `req_${marker()}`,
      origin: "invoke",
      ...extra,
    }),
  };
}

export function expectNoSecret(...texts: unknown[]): void {
  for (const text of texts) {
    const s = typeof text === "string" ? text : JSON.stringify(text);
    expect(s).not.toContain(TOOL_SECRET);
  }
}
