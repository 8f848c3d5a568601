import { ATTR, SpanKind } from "../observability/attributes";
import type { Span } from "../observability/span";
import type { Telemetry } from "../observability/telemetry";
import type { ToolDeps, ToolOutcome } from "../tools";

/**
 * Runs one tool call in its span (`execute_tool {name}`, as the GenAI conventions name it) and, where propagation is
 * on, with a `traceparent` on its HTTP request to the tool target. Never the arguments or the result: only the name,
 * the call id, the decision and the statuses. With telemetry off the call runs as is.
 */
export async function tracedToolCall(
  telemetry: Telemetry,
  parent: Span,
  call: { name: string; id?: string },
  deps: ToolDeps,
  run: (deps: ToolDeps) => Promise<ToolOutcome>,
): Promise<ToolOutcome> {
  if (!telemetry.enabled) return run(deps);
  const span = parent.child(`execute_tool ${call.name}`, SpanKind.internal);
  span.set(ATTR.operationName, "execute_tool");
  span.set(ATTR.toolName, call.name);
  span.set(ATTR.toolCallId, call.id);
  // The gateway runs the tool itself (not the client): the conventions' "extension".
  span.set(ATTR.toolType, "extension");
  const traceparent = telemetry.outbound(span, "tools");
  const traced: ToolDeps =
    traceparent === undefined
      ? deps
      : {
          ...deps,
          fetch: (input, init) => {
            const headers = new Headers(init?.headers);
            headers.set("traceparent", traceparent);
            return deps.fetch(input, { ...init, headers });
          },
        };
  try {
    const outcome = await run(traced);
    span.set(ATTR.decision, outcome.decision);
    span.set(ATTR.cost, outcome.cost);
    if (outcome.decision === "executed") span.set(ATTR.httpStatus, outcome.status);
    else span.fail(outcome.error.code);
    return outcome;
  } catch (err) {
    span.fail("_OTHER", err instanceof Error ? err.message : undefined);
    throw err;
  } finally {
    span.end();
  }
}
