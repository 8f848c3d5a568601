import { ATTR, SpanKind } from "../observability/attributes";
import type { Span } from "../observability/span";
import type { Telemetry } from "../observability/telemetry";
import type { AttemptOutcome } from "../routing/execute";
import type { Failure } from "../routing/failure";
import type { PlannedAttempt } from "../routing/plan";

/** An executor attempt that may send a `traceparent` with its upstream request. */
export type TracedAttempt<T> = (
  a: PlannedAttempt,
  signal: AbortSignal,
  traceparent?: string,
) => Promise<AttemptOutcome<T>>;

export interface AttemptTrace {
  telemetry: Telemetry;
  /** The request's root span: each attempt (retries and fallbacks too) is a CLIENT span under it. */
  parent: Span;
  operation: "chat" | "embeddings";
  /** `gen_ai.provider.name` and `server.address` of a policy provider id. */
  provider: (providerId: string) => { name: string; address: string | undefined } | undefined;
}

/**
 * Wraps an attempt in its span, named as the GenAI conventions name a client call (`{operation} {model}`), and gives
 * it the `traceparent` to send. With telemetry off it returns the attempt as is: no span, no header, no allocation.
 */
export function tracedAttempt<T>(
  trace: AttemptTrace | undefined,
  attempt: TracedAttempt<T>,
): (a: PlannedAttempt, signal: AbortSignal) => Promise<AttemptOutcome<T>> {
  if (trace === undefined || !trace.telemetry.enabled) return attempt;
  let n = 0;
  return async (a, signal) => {
    n += 1;
    const span = trace.parent.child(`${trace.operation} ${a.upstreamModel}`, SpanKind.client);
    if (span.recording) {
      span.set(ATTR.operationName, trace.operation);
      span.set(ATTR.requestModel, a.upstreamModel);
      span.set(ATTR.providerId, a.providerId);
      span.set(ATTR.modelAlias, a.alias);
      span.set(ATTR.attemptIndex, n);
    }
    try {
      const outcome = await attempt(a, signal, trace.telemetry.outbound(span, "upstreams"));
      if (outcome.ok) span.set(ATTR.responseModel, a.upstreamModel);
      else span.fail(errorType(outcome.failure));
      return outcome;
    } catch (err) {
      span.fail("_OTHER", err instanceof Error ? err.message : undefined);
      throw err;
    } finally {
      // After the call: the provider is resolved (base URL filled from the env) by then.
      if (span.recording) {
        const provider = trace.provider(a.providerId);
        span.set(ATTR.providerName, provider?.name);
        span.set(ATTR.serverAddress, provider?.address);
      }
      span.end();
    }
  };
}

/** A low-cardinality `error.type`: the upstream's status, or what went wrong on the way. */
function errorType(f: Failure): string {
  switch (f.kind) {
    case "status":
      return String(f.status);
    case "connection":
      return "connection_error";
    default:
      return f.kind;
  }
}
