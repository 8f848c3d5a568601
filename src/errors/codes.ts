/**
 * The closed table of gateway error codes. Every error a client can see comes from here, so the code, the HTTP status
 * and the OpenAI/Anthropic error `type` never drift apart. Codes are part of the public API: never rename one.
 */
export const ERROR_CODES = {
  // 4xx: the caller can fix these
  invalid_json: { status: 400, type: "invalid_request_error" },
  invalid_request: { status: 400, type: "invalid_request_error" },
  unsupported_parameter: { status: 400, type: "invalid_request_error" },
  context_length_exceeded: { status: 400, type: "invalid_request_error" },
  unauthorized: { status: 401, type: "authentication_error" },
  key_revoked: { status: 401, type: "authentication_error" },
  key_expired: { status: 401, type: "authentication_error" },
  insufficient_credits: { status: 402, type: "insufficient_quota" },
  model_not_allowed: { status: 403, type: "permission_error" },
  model_unpriced: { status: 403, type: "permission_error" },
  forbidden: { status: 403, type: "permission_error" },
  not_found: { status: 404, type: "not_found_error" },
  model_not_found: { status: 404, type: "not_found_error" },
  method_not_allowed: { status: 405, type: "invalid_request_error" },
  conflict: { status: 409, type: "invalid_request_error" },
  idempotency_in_progress: { status: 409, type: "invalid_request_error" },
  payload_too_large: { status: 413, type: "invalid_request_error" },
  unsupported_media_type: { status: 415, type: "invalid_request_error" },
  idempotency_key_reused: { status: 422, type: "invalid_request_error" },
  rate_limited: { status: 429, type: "rate_limit_error" },
  task_budget_exceeded: { status: 429, type: "rate_limit_error" },
  task_loop_detected: { status: 429, type: "rate_limit_error" },
  // Tool proxies (src/tools): the tool is not the caller's, the arguments fail its schema, or the target is not allowed
  tool_not_allowed: { status: 403, type: "permission_error" },
  tool_arguments_invalid: { status: 400, type: "invalid_request_error" },
  tool_target_refused: { status: 403, type: "permission_error" },
  // Batch API (src/batch): an item not run because its batch's 24 h completion window ended first
  batch_expired: { status: 408, type: "timeout_error" },
  // 5xx: the gateway or an upstream failed
  internal_error: { status: 500, type: "api_error" },
  provider_not_configured: { status: 500, type: "api_error" },
  upstream_error: { status: 502, type: "api_error" },
  upstream_bad_response: { status: 502, type: "api_error" },
  upstream_unavailable: { status: 503, type: "overloaded_error" },
  upstream_rate_limited: { status: 503, type: "overloaded_error" },
  upstream_timeout: { status: 504, type: "timeout_error" },
  deadline_exceeded: { status: 504, type: "timeout_error" },
  store_unavailable: { status: 503, type: "api_error" },
  auth_unavailable: { status: 503, type: "api_error" },
  // The Worker was deployed without the Batch API's bindings (queue, R2 bucket, TENANT_BATCHES): see wrangler.toml
  batch_unavailable: { status: 503, type: "api_error" },
  // Tool proxies: the tool misbehaved (redirect not allowed, too large, too slow, unreachable) or is misconfigured
  tool_misconfigured: { status: 500, type: "api_error" },
  tool_failed: { status: 502, type: "api_error" },
  tool_redirect_refused: { status: 502, type: "api_error" },
  tool_response_too_large: { status: 502, type: "api_error" },
  tool_timeout: { status: 504, type: "timeout_error" },
} as const satisfies Record<string, { status: number; type: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function statusOf(code: ErrorCode): number {
  return ERROR_CODES[code].status;
}
