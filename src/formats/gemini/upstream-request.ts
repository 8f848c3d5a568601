import type { ChatRequest, FunctionTool, ToolChoice } from "../../canonical/chat";
import { GatewayError } from "../../errors";
import { toGeminiParameters, toGeminiSchema } from "./json-schema";
import type { GeminiGenerationConfig, GeminiRequest, GeminiTool, GeminiToolConfig } from "./types";
import { translateMessages } from "./upstream-messages";

/**
 * Canonical (OpenAI Chat Completions) request → Gemini `generateContent` body. Pure; throws a GatewayError naming the
 * field when part of the request cannot be expressed. Which request fields are refused outright (rather than
 * translated) is decided in `unsupported-params.ts`.
 *
 * `strict` on a function tool has no Gemini equivalent: Gemini's function calling is guided by the declared schema but
 * does not promise exact conformance, so it is sent as a plain declaration.
 */

export interface GeminiRequestOptions {
  /** The upstream model name: Gemini 3+ models need thought signatures on replayed function calls. */
  model: string;
}

/** Gemini 3 and later validate thought signatures on function call turns; 1.x/2.x do not. */
export function requiresThoughtSignatures(model: string): boolean {
  const m = /^(?:models\/)?gemini-(\d+)/.exec(model);
  return m !== null && Number(m[1]) >= 3;
}

function tools(list: FunctionTool[]): GeminiTool[] | undefined {
  if (list.length === 0) return undefined;
  const functionDeclarations = list.map((tool, i) => {
    if (tool.type !== "function") {
      throw new GatewayError(
        "unsupported_parameter",
        `a "${String(tool.type)}" tool cannot be sent to a Gemini upstream`,
        {
          param: `tools.${i}.type`,
        },
      );
    }
    const { name, description, parameters } = tool.function;
    const converted = toGeminiParameters(parameters);
    return {
      name,
      ...(description === undefined ? {} : { description }),
      ...(converted === undefined ? {} : { parameters: converted }),
    };
  });
  return [{ functionDeclarations }];
}

function toolConfig(choice: ToolChoice): GeminiToolConfig {
  if (choice === "none") return { functionCallingConfig: { mode: "NONE" } };
  if (choice === "required") return { functionCallingConfig: { mode: "ANY" } };
  if (choice === "auto") return { functionCallingConfig: { mode: "AUTO" } };
  return { functionCallingConfig: { mode: "ANY", allowedFunctionNames: [choice.function.name] } };
}

function generationConfig(req: ChatRequest): GeminiGenerationConfig | undefined {
  const cfg: GeminiGenerationConfig = {};
  if (req.temperature != null) cfg.temperature = req.temperature;
  if (req.top_p != null) cfg.topP = req.top_p;
  const maxTokens = req.max_completion_tokens ?? req.max_tokens;
  if (maxTokens != null) cfg.maxOutputTokens = maxTokens;
  if (req.stop != null) {
    const stops = typeof req.stop === "string" ? [req.stop] : req.stop;
    if (stops.length > 0) cfg.stopSequences = stops;
  }
  if (req.n != null) cfg.candidateCount = req.n;
  if (req.seed != null) cfg.seed = req.seed;
  if (req.presence_penalty != null) cfg.presencePenalty = req.presence_penalty;
  if (req.frequency_penalty != null) cfg.frequencyPenalty = req.frequency_penalty;
  if (req.logprobs === true) {
    cfg.responseLogprobs = true;
    if (req.top_logprobs != null && req.top_logprobs > 0) cfg.logprobs = req.top_logprobs;
  }
  const format = req.response_format;
  if (format?.type === "json_object") cfg.responseMimeType = "application/json";
  if (format?.type === "json_schema") {
    cfg.responseMimeType = "application/json";
    const schema = format.json_schema?.schema;
    if (schema !== undefined) cfg.responseSchema = toGeminiSchema(schema);
  }
  return Object.keys(cfg).length === 0 ? undefined : cfg;
}

export function fromOpenAIRequest(req: ChatRequest, opts: GeminiRequestOptions): GeminiRequest {
  const { systemInstruction, contents } = translateMessages(req.messages, {
    requireSignatures: requiresThoughtSignatures(opts.model),
  });
  const body: GeminiRequest = { contents };
  if (systemInstruction !== undefined) body.systemInstruction = systemInstruction;
  const declared = tools(req.tools ?? []);
  if (declared !== undefined) {
    body.tools = declared;
    if (req.tool_choice !== undefined) body.toolConfig = toolConfig(req.tool_choice);
  }
  const config = generationConfig(req);
  if (config !== undefined) body.generationConfig = config;
  return body;
}
