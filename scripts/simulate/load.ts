import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { UsageEvent } from "../../src/ledger/types";
import { compilePolicy, formatPolicyError } from "../../src/policy/compile";
import type { CompiledPolicy } from "../../src/policy/types";

export class SimulateInputError extends Error {
  override name = "SimulateInputError";
}

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/** Compiles a policy directory exactly as `npm run policy:build` does; an invalid one is an input error. */
export function loadPolicy(dir: string): CompiledPolicy {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /\.ya?ml$/.test(n));
  } catch (err) {
    throw new SimulateInputError(`cannot read policy directory ${dir}: ${(err as Error).message}`);
  }
  if (names.length === 0) throw new SimulateInputError(`no *.yaml files in ${dir}`);
  const files = names.sort().map((name) => ({
    name: path.join(dir, name),
    text: readFileSync(path.join(dir, name), "utf8"),
  }));
  const result = compilePolicy(files, sha256);
  if (!result.ok) {
    throw new SimulateInputError(`policy ${dir} is invalid:\n${result.errors.map(formatPolicyError).join("\n")}`);
  }
  return result.policy;
}

/**
 * Usage events as exported: NDJSON (one event per line), a JSON array, or the admin API's list (`{"data": [...]}`);
 * each event either as the ledger stores it (camelCase) or as the admin API shows it (snake_case, `object:
 * "usage_event"`). Each must carry the fields replay reads; a bad line names its number.
 */
export function parseEvents(text: string, source: string): UsageEvent[] {
  const trimmed = text.trim();
  if (trimmed === "") return [];
  const values: { line: number; value: unknown }[] = [];
  const whole = trimmed.startsWith("{") && !trimmed.includes("\n") ? parseJson(trimmed, source, 1) : undefined;
  const listed = (whole as { data?: unknown } | undefined)?.data;
  if (Array.isArray(listed)) {
    listed.forEach((value, i) => {
      values.push({ line: i + 1, value });
    });
  } else if (trimmed.startsWith("[")) {
    const parsed = parseJson(trimmed, source, 1);
    if (!Array.isArray(parsed)) throw new SimulateInputError(`${source}: expected a JSON array of usage events`);
    parsed.forEach((value, i) => {
      values.push({ line: i + 1, value });
    });
  } else {
    text.split("\n").forEach((raw, i) => {
      if (raw.trim() !== "") values.push({ line: i + 1, value: parseJson(raw, source, i + 1) });
    });
  }
  return values.map(({ line, value }) => checkEvent(value, `${source}:${line}`));
}

function parseJson(text: string, source: string, line: number): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new SimulateInputError(`${source}:${line}: not JSON (${(err as Error).message})`);
  }
}

function checkEvent(value: unknown, where: string): UsageEvent {
  if (typeof value !== "object" || value === null) throw new SimulateInputError(`${where}: not an object`);
  const e =
    "request_id" in value ? fromAdminJson(value as Record<string, unknown>) : (value as Record<string, unknown>);
  for (const field of ["requestId", "tenantId", "keyId"] as const) {
    if (typeof e[field] !== "string") throw new SimulateInputError(`${where}: ${field} must be a string`);
  }
  for (const field of ["at", "inputTokens", "outputTokens", "cost", "status"] as const) {
    if (typeof e[field] !== "number" || !Number.isFinite(e[field])) {
      throw new SimulateInputError(`${where}: ${field} must be a number`);
    }
  }
  if (!Array.isArray(e.flags)) throw new SimulateInputError(`${where}: flags must be an array`);
  return e as unknown as UsageEvent;
}

/** The admin API's snake_case event (src/routes/admin/serialize.ts) back into the ledger's shape. */
function fromAdminJson(a: Record<string, unknown>): Record<string, unknown> {
  const opt = (v: unknown) => (v === null ? undefined : v);
  const at = typeof a.at === "string" ? Date.parse(a.at) : a.at;
  const inputs = a.routing_inputs as Record<string, unknown> | null | undefined;
  const routing = a.routing as Record<string, unknown> | null | undefined;
  return {
    requestId: a.request_id,
    at,
    tenantId: a.tenant,
    keyId: a.key_id,
    taskId: opt(a.task_id),
    feature: opt(a.feature),
    route: opt(a.route),
    model: opt(a.model),
    provider: opt(a.provider),
    inputTokens: a.input_tokens,
    outputTokens: a.output_tokens,
    cost: a.cost,
    cache: a.cache,
    latencyMs: a.latency_ms,
    status: a.status,
    policyVersion: a.policy_version,
    flags: a.flags,
    tool: opt(a.tool),
    routingInputs:
      inputs == null
        ? undefined
        : {
            requested: opt(inputs.requested),
            estimatedTokens: inputs.estimated_tokens,
            hasTools: inputs.has_tools,
            turns: inputs.turns,
            hasResponseFormat: inputs.has_response_format,
            taskType: opt(inputs.task_type),
          },
    routing: routing == null ? undefined : { decidedBy: routing.decided_by, score: opt(routing.score) },
  };
}
