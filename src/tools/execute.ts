import { sha256Hex } from "../auth/hash";
import { ERROR_CODES } from "../errors";
import type { ToolConfig } from "../policy/types";
import { argumentText, checkArguments } from "./arguments";
import { type AuditFacts, auditEvent } from "./audit";
import { admitCall, settleCall, takeTaskBudget, voidCall } from "./charge";
import { safeFetch } from "./fetch-safe";
import { printable, resolveToolName } from "./names";
import { prepareRequest } from "./prepare";
import { errorEnvelope, formatResult, resultEnvelope } from "./result-format";
import type { ToolCall, ToolDeps, ToolError, ToolNotExecuted, ToolOutcome } from "./types";

/**
 * Runs one tool call for the invoke route and the chat loop alike. Every decision comes from the policy and the
 * credential — never from the model's text or a tool's output:
 *   name (exact, the tenant's tools) -> key tags -> arguments (size, JSON, schema) -> request (allowlist, URL,
 *   headers) -> admission (price, rate limits) -> task budget -> safe fetch -> result envelope.
 * Each call ends with exactly one audit event (see audit.ts): recorded on its own when refused before admission,
 * else written with the hold's settlement (executed: billed at price_per_call) or void (refused or failed).
 */

interface Run {
  deps: ToolDeps;
  call: ToolCall;
  name: string;
  argsSha256: string;
  startedAt: number;
}

function toolError(code: ToolError["code"], message: string, param: string | null = null): ToolError {
  return { code, message, param, headers: {} };
}

/**
 * A call that ends without execution. `hold`: none (refused before admission: the event is recorded on its own),
 * void (admitted: the event goes with the void), release (admission's reply was lost: void and record both).
 */
function notExecuted(
  run: Run,
  decision: "refused" | "failed",
  error: ToolError,
  hold: "none" | "void" | "release",
  facts: { bytes?: number; toolStatus?: number } = {},
): ToolNotExecuted {
  const { deps, call } = run;
  const endedAt = deps.now();
  const status = ERROR_CODES[error.code].status;
  const audit: AuditFacts = {
    name: run.name,
    decision,
    reason: error.code,
    argsSha256: run.argsSha256,
    status,
    toolStatus: facts.toolStatus ?? 0,
    bytes: facts.bytes ?? 0,
    cost: 0,
    startedAt: run.startedAt,
    endedAt,
  };
  const event = auditEvent(call, audit, deps.policy.version);
  let written: Promise<void>;
  if (hold === "void") written = deps.settle(voidCall(call, event));
  else if (hold === "release") {
    // The hold may or may not exist: void it (silently a no-op if absent) and record the event on its own.
    written = Promise.all([deps.settle(voidCall(call, event)), deps.settle({ kind: "record", event })]).then(
      () => undefined,
    );
  } else written = deps.settle({ kind: "record", event });
  return {
    decision,
    tool: run.name,
    argsSha256: run.argsSha256,
    status,
    toolStatus: audit.toolStatus,
    bytes: audit.bytes,
    latencyMs: Math.max(0, endedAt - run.startedAt),
    cost: 0,
    content: errorEnvelope(run.name, error.code, error.message),
    error,
    audit: written,
  };
}

export async function executeTool(deps: ToolDeps, call: ToolCall): Promise<ToolOutcome> {
  const startedAt = deps.now();
  const requested = typeof call.name === "string" ? call.name : "";
  const run: Run = {
    deps,
    call,
    name: printable(requested, 128),
    argsSha256: await sha256Hex(argumentText(call.arguments) ?? ""),
    startedAt,
  };

  const resolved = resolveToolName(requested, call.principal.tenant.tools);
  const tool = resolved.ok ? deps.policy.tools[resolved.name] : undefined;
  if (!resolved.ok || tool === undefined) {
    const message = resolved.ok ? `Tool "${run.name}" is not allowlisted for this caller.` : resolved.message;
    return notExecuted(run, "refused", toolError("tool_not_allowed", message), "none");
  }
  if (tool.key_tags.length > 0 && !(call.principal.tags ?? []).some((t) => tool.key_tags.includes(t))) {
    const message = `This credential may not use tool ${tool.name}: it needs a key tagged ${tool.key_tags.join(" or ")}.`;
    return notExecuted(run, "refused", toolError("tool_not_allowed", message), "none");
  }
  return runAllowed(run, tool);
}

async function runAllowed(run: Run, tool: ToolConfig): Promise<ToolOutcome> {
  const { deps, call } = run;
  const args = checkArguments(call.arguments, tool);
  if (!args.ok) {
    if (args.misconfigured) console.error(`tool ${tool.name}: ${args.message}`);
    const code = args.misconfigured ? "tool_misconfigured" : "tool_arguments_invalid";
    return notExecuted(run, "refused", toolError(code, args.message, args.param), "none");
  }
  const prepared = prepareRequest(tool, args.args, deps.vars);
  if (!prepared.ok) {
    if (prepared.code === "tool_misconfigured") console.error(`tool ${tool.name}: ${prepared.detail}`);
    const param = prepared.code === "tool_arguments_invalid" ? prepared.param : null;
    return notExecuted(run, "refused", toolError(prepared.code, prepared.message, param), "none");
  }

  const admitted = await admitCall(deps, call, tool);
  if (!admitted.ok) return notExecuted(run, "refused", admitted.error, admitted.release ? "release" : "none");
  const budget = await takeTaskBudget(deps, call, tool);
  if (budget !== undefined) return notExecuted(run, "refused", budget, "void");

  const impl = tool.implementation;
  const fetched = await safeFetch(prepared.request, {
    fetch: deps.fetch,
    allowlist: prepared.allowlist,
    maxRedirects: impl.max_redirects,
    maxBytes: impl.max_response_bytes,
    timeoutMs: impl.timeout_ms,
    ...(call.signal !== undefined && { signal: call.signal }),
  });
  if (!fetched.ok) {
    const facts = { bytes: fetched.bytes, toolStatus: fetched.status ?? 0 };
    return notExecuted(run, "failed", toolError(fetched.code, fetched.message), "void", facts);
  }
  const text = prepared.redact(new TextDecoder().decode(fetched.data));
  const formatted = formatResult(text, impl.result);
  if (!formatted.ok) {
    const facts = { bytes: fetched.bytes, toolStatus: fetched.status };
    return notExecuted(run, "failed", toolError("tool_failed", formatted.message), "void", facts);
  }

  const result = redactValue(formatted.data, prepared.redact);
  const endedAt = deps.now();
  const cost = tool.price_per_call;
  const event = auditEvent(
    call,
    {
      name: run.name,
      decision: "executed",
      argsSha256: run.argsSha256,
      status: fetched.status,
      toolStatus: fetched.status,
      bytes: fetched.bytes,
      cost,
      startedAt: run.startedAt,
      endedAt,
    },
    deps.policy.version,
  );
  return {
    decision: "executed",
    tool: run.name,
    argsSha256: run.argsSha256,
    status: fetched.status,
    bytes: fetched.bytes,
    latencyMs: Math.max(0, endedAt - run.startedAt),
    cost,
    result,
    truncated: formatted.truncated,
    content: prepared.redact(resultEnvelope(run.name, fetched.status, result, formatted.truncated)),
    audit: deps.settle(settleCall(call, cost, event)),
  };
}

/**
 * The body was scrubbed as text, but JSON escapes (`\u0074oken`) can spell a secret that only appears once parsed:
 * the parsed result is scrubbed again in its serialised form.
 */
function redactValue(value: unknown, redact: (text: string) => string): unknown {
  const text = JSON.stringify(value) ?? "null";
  const scrubbed = redact(text);
  if (scrubbed === text) return value;
  try {
    return JSON.parse(scrubbed) as unknown;
  } catch {
    return scrubbed;
  }
}
