import type { Balance, KeyRecord, LedgerEntry, ToolAudit, UsageEvent } from "../../ledger/types";

/**
 * The wire shapes of the admin and tenant APIs: snake_case, every field always present (`null` when unset), times as
 * ISO 8601 strings, money as integer micro-credits. A key's hash is never part of any shape.
 */

function iso(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}

export type KeyStatus = "active" | "revoked" | "expired";

export function keyStatus(record: KeyRecord, now: number): KeyStatus {
  if (record.revokedAt !== undefined && record.revokedAt <= now) return "revoked";
  if (record.expiresAt !== undefined && record.expiresAt <= now) return "expired";
  return "active";
}

export function keyJson(record: KeyRecord, now: number) {
  return {
    object: "api_key" as const,
    key_id: record.keyId,
    prefix: record.prefix,
    tenant: record.tenantId,
    name: record.name ?? null,
    status: keyStatus(record, now),
    created_at: iso(record.createdAt),
    expires_at: iso(record.expiresAt),
    revoked_at: iso(record.revokedAt),
    /** `null`: every route of the tenant. */
    routes: record.routes ?? null,
    scopes: record.scopes ?? [],
    tags: record.tags ?? [],
  };
}

export function balanceJson(balance: Balance, tenantId: string) {
  return {
    object: "balance" as const,
    account_id: balance.keyId,
    tenant: tenantId,
    balance: balance.balance,
    held: balance.held,
    open_holds: balance.openHolds,
    credited: balance.credited,
    billed: balance.billed,
  };
}

export function entryJson(entry: LedgerEntry) {
  return {
    object: "ledger_entry" as const,
    seq: entry.seq,
    at: iso(entry.at),
    type: entry.type,
    amount: entry.amount,
    charged: entry.charged ?? null,
    balance_after: entry.balanceAfter,
    request_id: entry.requestId ?? null,
    reference: entry.reference ?? null,
    flags: entry.flags ?? [],
  };
}

export function usageJson(event: UsageEvent) {
  return {
    object: "usage_event" as const,
    request_id: event.requestId,
    at: iso(event.at),
    tenant: event.tenantId,
    key_id: event.keyId,
    task_id: event.taskId ?? null,
    feature: event.feature ?? null,
    route: event.route ?? null,
    model: event.model ?? null,
    provider: event.provider ?? null,
    input_tokens: event.inputTokens,
    output_tokens: event.outputTokens,
    cost: event.cost,
    cache: event.cache,
    latency_ms: event.latencyMs,
    status: event.status,
    policy_version: event.policyVersion,
    flags: event.flags,
    tool: event.tool === undefined ? null : toolJson(event.tool),
    // How the tier was decided (rules, learned router, cap, cascade, degradation, spillover), as recorded.
    routing: event.routing ?? null,
  };
}

/** The audit part of a tool call's usage event (never the arguments, only their hash). */
function toolJson(tool: ToolAudit) {
  return {
    name: tool.name,
    decision: tool.decision,
    reason: tool.reason ?? null,
    args_sha256: tool.argsSha256,
    tool_status: tool.toolStatus,
    bytes: tool.bytes,
    origin: tool.origin,
  };
}

export function list<T>(data: T[]) {
  return { object: "list" as const, data };
}
