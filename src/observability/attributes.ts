/**
 * Attribute names we emit. `gen_ai.*`, `server.*`, `http.*` and `error.type` follow the OpenTelemetry semantic
 * conventions (GenAI: development status, the current names — `gen_ai.provider.name`, not the old `gen_ai.system`);
 * `gateway.*` are this gateway's own.
 */
export const ATTR = {
  operationName: "gen_ai.operation.name",
  providerName: "gen_ai.provider.name",
  requestModel: "gen_ai.request.model",
  requestMaxTokens: "gen_ai.request.max_tokens",
  requestTemperature: "gen_ai.request.temperature",
  requestChoiceCount: "gen_ai.request.choice.count",
  responseModel: "gen_ai.response.model",
  responseId: "gen_ai.response.id",
  finishReasons: "gen_ai.response.finish_reasons",
  inputTokens: "gen_ai.usage.input_tokens",
  outputTokens: "gen_ai.usage.output_tokens",
  tokenType: "gen_ai.token.type",
  toolName: "gen_ai.tool.name",
  toolCallId: "gen_ai.tool.call.id",
  toolType: "gen_ai.tool.type",
  inputMessages: "gen_ai.input.messages",
  outputMessages: "gen_ai.output.messages",
  errorType: "error.type",
  serverAddress: "server.address",
  serverPort: "server.port",
  httpMethod: "http.request.method",
  httpRoute: "http.route",
  httpStatus: "http.response.status_code",
  requestId: "gateway.request_id",
  tenant: "gateway.tenant",
  account: "gateway.account",
  route: "gateway.route",
  modelAlias: "gateway.model",
  providerId: "gateway.provider",
  cost: "gateway.cost_micros",
  errorCode: "gateway.error_code",
  cache: "gateway.cache",
  attempts: "gateway.attempts",
  attemptIndex: "gateway.attempt",
  fallback: "gateway.fallback",
  feature: "gateway.feature",
  taskId: "gateway.task_id",
  flags: "gateway.flags",
  decision: "gateway.decision",
} as const;

/** Span kinds, as OTLP numbers them. */
export const SpanKind = { internal: 1, server: 2, client: 3 } as const;
export type SpanKindValue = (typeof SpanKind)[keyof typeof SpanKind];
