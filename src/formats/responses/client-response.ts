/**
 * The canonical (Chat Completions) answer → a Responses `response` object: the assistant's text becomes one
 * `message` output item, each tool call a `function_call` item after it; the finish reason becomes the status
 * (`length` → `incomplete` with reason `max_output_tokens`); usage is renamed to input/output tokens.
 */
import type { ChatResponse, FinishReason, Usage } from "../../canonical/chat";
import type { ResponsesRequest } from "./request-schema";
import type { FunctionCallItem, MessageItem, OutputItem, ResponseEcho, ResponseObject, ResponsesUsage } from "./types";

/** Ids of one response and its output items (`msg_…`, `fc_…`), derived from the response id so they are unique. */
export interface ResponseIds {
  responseId: string;
  createdAt: number;
}

export function itemId(ids: ResponseIds, kind: "msg" | "fc", outputIndex: number): string {
  return `${kind}_${ids.responseId.replace(/^resp_/, "")}_${outputIndex}`;
}

function echoedFormat(req: ResponsesRequest): Record<string, unknown> {
  const format = req.text?.format;
  return format == null ? { type: "text" } : { ...format };
}

export function echoOf(req: ResponsesRequest): ResponseEcho {
  const echo: ResponseEcho = {
    instructions: req.instructions ?? null,
    max_output_tokens: req.max_output_tokens ?? null,
    metadata: req.metadata ?? {},
    parallel_tool_calls: req.parallel_tool_calls ?? true,
    reasoning: { effort: req.reasoning?.effort ?? null, summary: req.reasoning?.summary ?? null },
    temperature: req.temperature ?? null,
    text: { format: echoedFormat(req), ...(req.text?.verbosity == null ? {} : { verbosity: req.text.verbosity }) },
    tool_choice: req.tool_choice ?? "auto",
    tools: (req.tools ?? []).map((t) => ({ parameters: null, strict: null, ...t })),
    top_p: req.top_p ?? null,
    truncation: "disabled",
    user: req.user ?? null,
  };
  if (req.safety_identifier != null) echo.safety_identifier = req.safety_identifier;
  if (req.prompt_cache_key != null) echo.prompt_cache_key = req.prompt_cache_key;
  if (req.service_tier != null) echo.service_tier = req.service_tier;
  return echo;
}

function detail(usage: Usage, key: string, field: string): number {
  const details = usage[key];
  if (typeof details !== "object" || details === null) return 0;
  const value = (details as Record<string, unknown>)[field];
  return typeof value === "number" ? value : 0;
}

export function responsesUsage(usage: Usage): ResponsesUsage {
  return {
    input_tokens: usage.prompt_tokens,
    input_tokens_details: { cached_tokens: detail(usage, "prompt_tokens_details", "cached_tokens") },
    output_tokens: usage.completion_tokens,
    output_tokens_details: { reasoning_tokens: detail(usage, "completion_tokens_details", "reasoning_tokens") },
    total_tokens: usage.total_tokens,
  };
}

/**
 * Status for a finish reason. The Responses API knows two incomplete reasons; a gateway tool loop stopped by one of
 * its bounds reports its own (`tool_loop_limit`), as the chat endpoint does in `finish_reason`.
 */
export function statusOf(finish: FinishReason | null): Pick<ResponseObject, "status" | "incomplete_details"> {
  if (finish === "length") return { status: "incomplete", incomplete_details: { reason: "max_output_tokens" } };
  if (finish === "content_filter") return { status: "incomplete", incomplete_details: { reason: "content_filter" } };
  if (finish === "tool_loop_limit") return { status: "incomplete", incomplete_details: { reason: "tool_loop_limit" } };
  return { status: "completed", incomplete_details: null };
}

/** The response object before any output (the `response.created` snapshot), or with the fields given. */
export function responseObject(
  ids: ResponseIds,
  echo: ResponseEcho,
  model: string,
  rest: Partial<ResponseObject> = {},
): ResponseObject {
  return {
    id: ids.responseId,
    object: "response",
    created_at: ids.createdAt,
    status: "in_progress",
    background: false,
    error: null,
    incomplete_details: null,
    model,
    output: [],
    previous_response_id: null,
    store: false,
    usage: null,
    ...echo,
    ...rest,
  };
}

export function canonicalToResponse(
  response: ChatResponse,
  ids: ResponseIds,
  echo: ResponseEcho,
  completedAt: number,
): ResponseObject {
  const choice = response.choices[0];
  const output: OutputItem[] = [];
  const text = choice?.message.content ?? "";
  const refusal = choice?.message.refusal;
  const calls = choice?.message.tool_calls ?? [];
  if (text !== "" || refusal != null || calls.length === 0) {
    const item: MessageItem = {
      id: itemId(ids, "msg", 0),
      type: "message",
      status: "completed",
      role: "assistant",
      content: [],
    };
    if (text !== "" || refusal == null) item.content.push({ type: "output_text", text, annotations: [], logprobs: [] });
    if (refusal != null) item.content.push({ type: "refusal", refusal });
    output.push(item);
  }
  for (const call of calls) {
    const fc: FunctionCallItem = {
      id: itemId(ids, "fc", output.length),
      type: "function_call",
      status: "completed",
      call_id: call.id,
      name: call.function.name,
      arguments: call.function.arguments,
    };
    output.push(fc);
  }
  const status = statusOf(choice?.finish_reason ?? "stop");
  if (status.status === "incomplete")
    for (const item of output) if (item.type === "message") item.status = "incomplete";
  return responseObject(ids, echo, response.model, {
    ...status,
    output,
    usage: response.usage === undefined ? null : responsesUsage(response.usage),
    ...(status.status === "completed" ? { completed_at: completedAt } : {}),
  });
}
