/**
 * A Responses request → the canonical (Chat Completions) request, so it is routed, billed and answered by every
 * provider exactly like a chat call. `instructions` becomes the leading system message; input items become messages
 * in order (consecutive `function_call` items join the assistant message before them, as one turn's tool calls);
 * `text.format` becomes `response_format`, `reasoning.effort` becomes `reasoning_effort`, `max_output_tokens`
 * becomes `max_completion_tokens`. Content a chat upstream cannot take (files, images in system messages or tool
 * outputs) is refused with a 400 naming its path.
 */
import type {
  ChatMessage,
  ChatRequest,
  ContentPart,
  FunctionTool,
  ResponseFormat,
  ToolChoice,
} from "../../canonical/chat";
import { GatewayError } from "../../errors";
import type {
  ResponsesAssistantPart,
  ResponsesInputItem,
  ResponsesInputPart,
  ResponsesRequest,
  ResponsesTextFormat,
} from "./request-schema";

function refuse(param: string, message: string): never {
  throw new GatewayError("invalid_request", `Invalid \`${param}\`: ${message}`, { param });
}

function userPart(part: ResponsesInputPart, path: string): ContentPart {
  if (part.type === "input_text") return { type: "text", text: part.text };
  if (part.type === "input_file") refuse(`${path}.type`, "file inputs are not supported on /v1/responses");
  if (part.file_id != null || part.image_url == null) {
    refuse(
      `${path}.image_url`,
      "images must be given by `image_url` (a URL or a data: URL); file ids need stored files",
    );
  }
  return {
    type: "image_url",
    image_url: { url: part.image_url, ...(part.detail === undefined ? {} : { detail: part.detail }) },
  };
}

/** Text of parts that may only be text (system and developer messages, tool outputs). */
function textOnly(parts: ResponsesInputPart[], path: string): string {
  return parts
    .map((part, i) =>
      part.type === "input_text" ? part.text : refuse(`${path}.${i}.type`, "only text is accepted here"),
    )
    .join("");
}

function assistantText(content: string | ResponsesAssistantPart[]): string {
  if (typeof content === "string") return content;
  return content.map((part) => (part.type === "refusal" ? part.refusal : part.text)).join("");
}

type MessageInput = Exclude<ResponsesInputItem, { type: "function_call" | "function_call_output" }>;

function message(item: MessageInput, path: string): ChatMessage {
  if (item.role === "assistant") return { role: "assistant", content: assistantText(item.content) };
  const { content } = item;
  if (item.role === "user") {
    return {
      role: "user",
      content: typeof content === "string" ? content : content.map((part, i) => userPart(part, `${path}.content.${i}`)),
    };
  }
  // A developer message is a system message to every upstream a chat request reaches.
  return { role: "system", content: typeof content === "string" ? content : textOnly(content, `${path}.content`) };
}

/** The input items as canonical messages, in order. */
export function inputMessages(input: ResponsesRequest["input"]): ChatMessage[] {
  if (typeof input === "string") return [{ role: "user", content: input }];
  const out: ChatMessage[] = [];
  input.forEach((item, i) => {
    const path = `input.${i}`;
    if (item.type === "function_call") {
      const call = {
        id: item.call_id,
        type: "function" as const,
        function: { name: item.name, arguments: item.arguments },
      };
      const last = out.at(-1);
      // Calls of one turn share its assistant message (with its text, if it had any), as chat expects.
      if (last?.role === "assistant") last.tool_calls = [...(last.tool_calls ?? []), call];
      else out.push({ role: "assistant", content: null, tool_calls: [call] });
      return;
    }
    if (item.type !== "function_call_output") {
      out.push(message(item, path));
      return;
    }
    const output = typeof item.output === "string" ? item.output : textOnly(item.output, `${path}.output`);
    out.push({ role: "tool", tool_call_id: item.call_id, content: output });
  });
  return out;
}

function tools(req: ResponsesRequest): FunctionTool[] | undefined {
  if (req.tools == null || req.tools.length === 0) return undefined;
  return req.tools.map((tool) => {
    return {
      type: "function",
      function: {
        name: tool.name,
        ...(tool.description == null ? {} : { description: tool.description }),
        ...(tool.parameters == null ? {} : { parameters: tool.parameters }),
        ...(tool.strict == null ? {} : { strict: tool.strict }),
      },
    };
  });
}

function toolChoice(choice: ResponsesRequest["tool_choice"]): ToolChoice | undefined {
  if (choice == null) return undefined;
  return typeof choice === "string" ? choice : { type: "function", function: { name: choice.name } };
}

export function responseFormat(format: ResponsesTextFormat | null | undefined): ResponseFormat | undefined {
  if (format == null || format.type === "text") return undefined;
  if (format.type === "json_object") return { type: "json_object" };
  return {
    type: "json_schema",
    json_schema: {
      name: format.name,
      schema: format.schema,
      ...(format.description === undefined ? {} : { description: format.description }),
      ...(format.strict == null ? {} : { strict: format.strict }),
    },
  };
}

/** Sets `key` on `out` only when `value` is given (null means "not given" in the Responses API). */
function put<K extends string>(out: Record<string, unknown>, key: K, value: unknown): void {
  if (value !== undefined && value !== null) out[key] = value;
}

export function responsesToCanonical(req: ResponsesRequest): ChatRequest {
  const messages = inputMessages(req.input);
  if (req.instructions != null && req.instructions !== "")
    messages.unshift({ role: "system", content: req.instructions });
  if (messages.length === 0) refuse("input", "at least one input item is needed");
  const out: ChatRequest = { model: req.model, messages };
  if (req.stream === true) {
    out.stream = true;
    // The final `response.completed` event carries usage, so it is always asked for.
    out.stream_options = { include_usage: true };
  }
  put(out, "max_completion_tokens", req.max_output_tokens);
  put(out, "temperature", req.temperature);
  put(out, "top_p", req.top_p);
  put(out, "tools", tools(req));
  put(out, "tool_choice", toolChoice(req.tool_choice));
  put(out, "parallel_tool_calls", req.parallel_tool_calls);
  put(out, "response_format", responseFormat(req.text?.format));
  put(out, "verbosity", req.text?.verbosity);
  put(out, "reasoning_effort", req.reasoning?.effort);
  put(out, "user", req.user);
  put(out, "safety_identifier", req.safety_identifier);
  put(out, "prompt_cache_key", req.prompt_cache_key);
  put(out, "service_tier", req.service_tier);
  return out;
}

/**
 * Where a canonical field came from in the Responses request, so an error raised further down the chat path (model
 * limit, unsupported parameter) names the field the client actually sent.
 */
const RESPONSES_PARAM: Record<string, string> = {
  max_completion_tokens: "max_output_tokens",
  max_tokens: "max_output_tokens",
  response_format: "text.format",
  verbosity: "text.verbosity",
  reasoning_effort: "reasoning.effort",
  messages: "input",
};

export function responsesParam(canonical: string): string {
  const exact = RESPONSES_PARAM[canonical];
  if (exact !== undefined) return exact;
  const head = canonical.split(".")[0] ?? canonical;
  const mapped = RESPONSES_PARAM[head];
  return mapped === undefined ? canonical : mapped;
}
