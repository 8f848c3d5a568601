export { ERROR_CODES, type ErrorCode, statusOf } from "./codes";
export {
  type ErrorEnvelope,
  errorEnvelope,
  errorResponse,
  GatewayError,
  type GatewayErrorOptions,
} from "./gateway-error";
export { UpstreamProtocolError } from "./upstream-protocol-error";
