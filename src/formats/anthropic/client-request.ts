/**
 * Anthropic Messages request (already validated) → canonical ChatRequest.
 * Block arrays stay part arrays and plain strings stay strings, so translating back gives the client's shape.
 */
import type {
  CacheControl,
  ChatMessage,
  ChatRequest,
  ContentPart,
  FunctionTool,
  ImagePart,
  TextPart,
  ToolCall,
  ToolChoice,
} from "../../canonical/chat";
import type {
  AnthropicAssistantBlock,
  AnthropicImageSource,
  AnthropicMessageParam,
  AnthropicRequest,
  AnthropicToolChoice,
  AnthropicUserBlock,
} from "./request-schema";

/** Copies a prompt-cache breakpoint onto a canonical part, tool call, tool or message (absent stays absent). */
function withCache<T extends object>(target: T, cc: CacheControl | null | undefined): T {
  if (cc != null) Object.assign(target, { cache_control: cc });
  return target;
}

export function imagePart(source: AnthropicImageSource, cc?: CacheControl | null): ImagePart {
  const url = source.type === "base64" ? `data:${source.media_type};base64,${source.data}` : source.url;
  return withCache({ type: "image_url", image_url: { url } }, cc);
}

function textPart(text: string, cc?: CacheControl | null): TextPart {
  return withCache({ type: "text", text }, cc);
}

function userMessages(content: string | AnthropicUserBlock[]): ChatMessage[] {
  if (typeof content === "string") return [{ role: "user", content }];
  const out: ChatMessage[] = [];
  const rest: ContentPart[] = [];
  for (const block of content) {
    if (block.type === "tool_result") {
      // OpenAI has no error flag on tool messages; `is_error` is dropped (the content usually says what failed).
      const c = block.content;
      const parts = typeof c === "string" || c === undefined ? (c ?? "") : c.map(toolResultPart);
      out.push(withCache({ role: "tool", tool_call_id: block.tool_use_id, content: parts }, block.cache_control));
    } else if (block.type === "document") {
      // No OpenAI equivalent: kept as a `document` part, which only Anthropic upstreams accept.
      rest.push({ ...block });
    } else {
      rest.push(
        block.type === "text"
          ? textPart(block.text, block.cache_control)
          : imagePart(block.source, block.cache_control),
      );
    }
  }
  if (rest.length > 0) out.push({ role: "user", content: rest });
  return out;
}

type ResultBlock =
  | { type: "text"; text: string; cache_control?: CacheControl | null | undefined }
  | { type: "image"; source: AnthropicImageSource; cache_control?: CacheControl | null | undefined };

function toolResultPart(block: ResultBlock) {
  return block.type === "text"
    ? textPart(block.text, block.cache_control)
    : imagePart(block.source, block.cache_control);
}

function assistantMessage(content: string | AnthropicAssistantBlock[]): ChatMessage {
  if (typeof content === "string") return { role: "assistant", content };
  const parts: ContentPart[] = [];
  const calls: ToolCall[] = [];
  for (const block of content) {
    if (block.type === "text") parts.push(textPart(block.text, block.cache_control));
    else if (block.type === "thinking" || block.type === "redacted_thinking") parts.push({ ...block });
    else
      calls.push(
        withCache(
          { id: block.id, type: "function", function: { name: block.name, arguments: JSON.stringify(block.input) } },
          block.cache_control,
        ),
      );
  }
  const msg: ChatMessage = { role: "assistant", content: parts.length > 0 ? parts : null };
  if (calls.length > 0) msg.tool_calls = calls;
  return msg;
}

function toMessages(m: AnthropicMessageParam): ChatMessage[] {
  return m.role === "user" ? userMessages(m.content) : [assistantMessage(m.content)];
}

function toolChoice(choice: AnthropicToolChoice): ToolChoice {
  switch (choice.type) {
    case "auto":
      return "auto";
    case "any":
      return "required";
    case "none":
      return "none";
    case "tool":
      return { type: "function", function: { name: choice.name } };
  }
}

export function anthropicToCanonical(req: AnthropicRequest): ChatRequest {
  const messages: ChatMessage[] = [];
  if (req.system !== undefined) {
    const content =
      typeof req.system === "string" ? req.system : req.system.map((b) => textPart(b.text, b.cache_control));
    messages.push({ role: "system", content });
  }
  for (const m of req.messages) messages.push(...toMessages(m));

  const out: ChatRequest = { model: req.model, messages, max_tokens: req.max_tokens };
  if (req.stream === true) {
    out.stream = true;
    // Anthropic clients always get output token counts at the end of a stream, so ask OpenAI-style upstreams for them.
    out.stream_options = { include_usage: true };
  }
  if (req.temperature !== undefined) out.temperature = req.temperature;
  if (req.top_p !== undefined) out.top_p = req.top_p;
  // Not an OpenAI field: kept as an extra so OpenAI-compatible origins that know it (vLLM, TGI) and Anthropic get it.
  if (req.top_k !== undefined) out.top_k = req.top_k;
  if (req.stop_sequences !== undefined) out.stop = req.stop_sequences;
  if (req.tools !== undefined) {
    out.tools = req.tools.map(
      (t): FunctionTool =>
        withCache(
          {
            type: "function",
            function: {
              name: t.name,
              ...(t.description === undefined ? {} : { description: t.description }),
              parameters: t.input_schema,
            },
          },
          t.cache_control,
        ),
    );
  }
  if (req.tool_choice !== undefined) {
    out.tool_choice = toolChoice(req.tool_choice);
    if ("disable_parallel_tool_use" in req.tool_choice && req.tool_choice.disable_parallel_tool_use === true) {
      out.parallel_tool_calls = false;
    }
  }
  // Not OpenAI fields: kept as extras for Anthropic upstreams; the other adapters refuse (`thinking`) or drop them.
  if (req.thinking !== undefined) out.thinking = req.thinking;
  if (req.cache_control !== undefined) out.cache_control = req.cache_control;
  const user = req.metadata?.user_id;
  if (typeof user === "string") out.user = user;
  return out;
}
