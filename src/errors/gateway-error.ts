import { ERROR_CODES, type ErrorCode } from "./codes";

export interface GatewayErrorOptions {
  /** The request field at fault, dotted (`messages.0.content`), as OpenAI reports it. */
  param?: string | null;
  /** Extra response headers, e.g. `Retry-After`. */
  headers?: Record<string, string>;
  cause?: unknown;
}

/** The one error class that crosses layers. Its message is shown to clients: never put secrets or raw upstream bodies in it. */
export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly param: string | null;
  readonly headers: Record<string, string>;
  /** Extra flags for the usage event that records this refusal (never shown to the client). */
  readonly usageFlags: string[] = [];

  constructor(code: ErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "GatewayError";
    this.code = code;
    this.param = options.param ?? null;
    this.headers = options.headers ?? {};
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }
}

export interface ErrorEnvelope {
  /** Top-level `type` lets Anthropic SDKs parse the same envelope that OpenAI SDKs read from `error`. */
  type: "error";
  error: { message: string; type: string; code: ErrorCode; param: string | null };
  request_id: string;
}

export function errorEnvelope(err: GatewayError, requestId: string): ErrorEnvelope {
  return {
    type: "error",
    error: { message: err.message, type: ERROR_CODES[err.code].type, code: err.code, param: err.param },
    request_id: requestId,
  };
}

export function errorResponse(
  err: GatewayError,
  requestId: string,
  extraHeaders: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(errorEnvelope(err, requestId)), {
    status: err.status,
    headers: {
      "content-type": "application/json",
      "x-request-id": requestId,
      "request-id": requestId,
      ...extraHeaders,
      ...err.headers,
    },
  });
}
