/**
 * Anthropic Messages request (already validated) → canonical ChatRequest.
 * Block arrays stay part arrays and plain strings stay strings, so translating back gives the client's shape.
 */
import type {
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

export function imagePart(source: AnthropicImageSource): ImagePart {
  const url = source.type === "base64" ? `data:${source.media_type};base64,${source.data}` : source.url;
  return { type: "image_url", image_url: { url } };
}

function textPart(text: string): TextPart {
  return { type: "text", text };
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
      out.push({ role: "tool", tool_call_id: block.tool_use_id, content: parts });
    } else {
      rest.push(block.type === "text" ? textPart(block.text) : imagePart(block.source));
    }
  }
  if (rest.length > 0) out.push({ role: "user", content: rest });
  return out;
}

function toolResultPart(block: { type: "text"; text: string } | { type: "image"; source: AnthropicImageSource }) {
  return block.type === "text" ? textPart(block.text) : imagePart(block.source);
}

function assistantMessage(content: string | AnthropicAssistantBlock[]): ChatMessage {
  if (typeof content === "string") return { role: "assistant", content };
  const parts: TextPart[] = [];
  const calls: ToolCall[] = [];
  for (const block of content) {
    if (block.type === "text") parts.push(textPart(block.text));
    else
      calls.push({
        id: block.id,
        type: "function",
        function: { name: block.name, arguments: JSON.stringify(block.input) },
      });
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
    const content = typeof req.system === "string" ? req.system : req.system.map((b) => textPart(b.text));
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
      (t): FunctionTool => ({
        type: "function",
        function: {
          name: t.name,
          ...(t.description === undefined ? {} : { description: t.description }),
          parameters: t.input_schema,
        },
      }),
    );
  }
  if (req.tool_choice !== undefined) {
    out.tool_choice = toolChoice(req.tool_choice);
    if ("disable_parallel_tool_use" in req.tool_choice && req.tool_choice.disable_parallel_tool_use === true) {
      out.parallel_tool_calls = false;
    }
  }
  const user = req.metadata?.user_id;
  if (typeof user === "string") out.user = user;
  return out;
}
