import { openAiErrorBody } from "../../local/openai-wire";
import { type SseFrame, sseJson } from "../../local/sse";

export type Dialect = "openai" | "anthropic" | "gemini" | "bedrock";

const ANTHROPIC_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "billing_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  504: "timeout_error",
  529: "overloaded_error",
};

const GEMINI_STATUSES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  409: "ABORTED",
  429: "RESOURCE_EXHAUSTED",
  499: "CANCELLED",
  500: "INTERNAL",
  501: "UNIMPLEMENTED",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

export function anthropicErrorBody(status: number, message: string) {
  const type = ANTHROPIC_TYPES[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
  return { type: "error", error: { type, message } };
}

export function geminiErrorBody(status: number, message: string) {
  const code = GEMINI_STATUSES[status] ?? (status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION");
  return { error: { code: status, message, status: code } };
}

const BEDROCK_ERRORS: Record<number, string> = {
  400: "ValidationException",
  403: "AccessDeniedException",
  404: "ResourceNotFoundException",
  408: "ModelTimeoutException",
  424: "ModelErrorException",
  429: "ThrottlingException",
  500: "InternalServerException",
  503: "ServiceUnavailableException",
};

/** Bedrock's error type travels in the `x-amzn-ErrorType` header; the body holds only the message. */
export function bedrockErrorType(status: number): string {
  return BEDROCK_ERRORS[status] ?? (status >= 500 ? "InternalServerException" : "ValidationException");
}

/** The error body each provider documents, for an HTTP error status. */
export function errorBody(dialect: Dialect, status: number, message: string): unknown {
  if (dialect === "bedrock") return { message };
  if (dialect === "anthropic") return anthropicErrorBody(status, message);
  if (dialect === "gemini") return geminiErrorBody(status, message);
  return openAiErrorBody(status, message);
}

export function errorHeaders(status: number, dialect: Dialect = "openai"): Record<string, string> {
  const headers: Record<string, string> = status === 429 ? { "retry-after": "1" } : {};
  if (dialect === "bedrock")
    headers["x-amzn-errortype"] = `${bedrockErrorType(status)}:http://internal.amazon.com/coral/com.amazon.bedrock/`;
  return headers;
}

/** The error event a provider sends inside an already-started stream (an overload, typically). */
export function errorFrame(dialect: Exclude<Dialect, "bedrock">): SseFrame {
  if (dialect === "anthropic") {
    return sseJson(anthropicErrorBody(529, "Overloaded (fake error_mid_stream)"), { event: "error" });
  }
  if (dialect === "gemini") return sseJson(geminiErrorBody(503, "The model is overloaded (fake error_mid_stream)"));
  return sseJson(openAiErrorBody(500, "The server had an error while processing your request (fake error_mid_stream)"));
}
