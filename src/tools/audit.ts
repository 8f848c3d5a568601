import type { ToolAudit, UsageEvent } from "../ledger/types";
import type { ToolCall } from "./types";

/**
 * Every tool call leaves one audit event, and it is a usage event (with a `tool` part): it lands in the same store,
 * lists and APIs as model calls (`/v1/usage`, admin usage), and for an admitted call it is written in the same
 * atomic step as the call's settlement or void. Arguments are recorded only as their SHA-256.
 */
export interface AuditFacts {
  name: string;
  decision: ToolAudit["decision"];
  reason?: string;
  argsSha256: string;
  /** The outcome's status: the tool's when executed, else the gateway error's. */
  status: number;
  toolStatus: number;
  bytes: number;
  cost: number;
  startedAt: number;
  endedAt: number;
}

export function auditEvent(call: ToolCall, facts: AuditFacts, policyVersion: string): UsageEvent {
  const tool: ToolAudit = {
    name: facts.name,
    decision: facts.decision,
    argsSha256: facts.argsSha256,
    toolStatus: facts.toolStatus,
    bytes: facts.bytes,
    origin: call.origin,
  };
  if (facts.reason !== undefined) tool.reason = facts.reason;
  const flags = ["tool"];
  if (facts.decision !== "executed" && facts.reason !== undefined) flags.push(`${facts.decision}:${facts.reason}`);
  const event: UsageEvent = {
    requestId: call.requestId,
    at: facts.startedAt,
    tenantId: call.principal.tenant.id,
    keyId: call.principal.accountId,
    inputTokens: 0,
    outputTokens: 0,
    cost: facts.cost,
    cache: "none",
    latencyMs: Math.max(0, facts.endedAt - facts.startedAt),
    status: facts.status,
    policyVersion,
    flags,
    tool,
  };
  if (call.taskId !== undefined) event.taskId = call.taskId;
  const feature = call.feature ?? call.principal.tags?.[0];
  if (feature !== undefined) event.feature = feature;
  return event;
}
