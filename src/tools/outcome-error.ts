import { GatewayError } from "../errors";
import type { ToolNotExecuted } from "./types";

/** The gateway error of a refused or failed call, for routes that answer with the one error envelope. */
export function outcomeError(outcome: ToolNotExecuted): GatewayError {
  const { code, message, param, headers } = outcome.error;
  return new GatewayError(code, message, { param, headers: { ...headers, "x-gateway-tool": outcome.tool } });
}
