import { GatewayError } from "../errors";
import type { Failure } from "../routing/failure";

/**
 * Builds the upstream request. An adapter that throws while translating has found something this target cannot
 * express: that is `unsupported` (try the next target; no retry, no breaker count), never a connection failure. A
 * client-facing 4xx it throws (a parameter the format cannot carry) is what the client sees if no target serves.
 */
export function translate(build: () => Request): Request | Failure {
  try {
    return build();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const error = err instanceof GatewayError && err.status < 500 ? err : undefined;
    return error === undefined ? { kind: "unsupported", message } : { kind: "unsupported", message, error };
  }
}
