/**
 * The OpenAI Responses request as clients send it to our `POST /v1/responses`. It is answered statelessly through the
 * canonical chat path, so everything that needs server-side state or a hosted tool is refused with a 400 naming the
 * field (`store: true`, `previous_response_id`, `conversation`, `background`, `item_reference` inputs, built-in
 * tools), never silently dropped. Unknown top-level fields are refused too: a client that asks for something we do
 * not translate must not get an answer produced without it.
 */
import { z } from "zod";
import { TOOL_NAME } from "../openai/client-request";
import { firstProblem } from "../openai/issues";

const inputText = z.looseObject({ type: z.literal("input_text"), text: z.string() });
const inputImage = z.looseObject({
  type: z.literal("input_image"),
  image_url: z.string().min(1).nullish(),
  file_id: z.string().nullish(),
  detail: z.enum(["auto", "low", "high"]).optional(),
});
const inputFile = z.looseObject({ type: z.literal("input_file") });
const outputText = z.looseObject({ type: z.literal("output_text"), text: z.string() });
const refusal = z.looseObject({ type: z.literal("refusal"), refusal: z.string() });

const inputPart = z.discriminatedUnion("type", [inputText, inputImage, inputFile]);
const assistantPart = z.discriminatedUnion("type", [outputText, refusal, inputText]);

const messageExtras = {
  type: z.literal("message").optional(),
  id: z.string().nullish(),
  status: z.string().nullish(),
  phase: z.string().nullish(),
};
const inputMessage = z.looseObject({
  role: z.enum(["user", "system", "developer"]),
  content: z.union([z.string(), z.array(inputPart)], { error: "expected a string or an array of input parts" }),
  ...messageExtras,
});
const assistantMessage = z.looseObject({
  role: z.literal("assistant"),
  content: z.union([z.string(), z.array(assistantPart)], { error: "expected a string or an array of output parts" }),
  ...messageExtras,
});
const message = z.discriminatedUnion("role", [inputMessage, assistantMessage]);

const functionCall = z.looseObject({
  type: z.literal("function_call"),
  call_id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
  id: z.string().nullish(),
  status: z.string().nullish(),
});
const functionCallOutput = z.looseObject({
  type: z.literal("function_call_output"),
  call_id: z.string().min(1),
  output: z.union([z.string(), z.array(inputPart)], { error: "expected a string or an array of input parts" }),
  id: z.string().nullish(),
  status: z.string().nullish(),
});

/** Issues of an inner parse, reported at the same paths relative to the item being refined. */
function copyIssues(issues: readonly z.core.$ZodIssue[], ctx: z.RefinementCtx): void {
  for (const issue of issues) ctx.addIssue({ code: "custom", message: issue.message, path: [...issue.path] });
}

const STATELESS_HINT =
  "this gateway does not store responses: send the whole conversation in `input` (Vercel AI SDK: providerOptions " +
  "{ openai: { store: false } })";

/** One input item: a message (with or without `type`), a function call, or its output. */
const inputItem = z.looseObject({ type: z.string().optional() }).transform((item, ctx) => {
  const schema =
    item.type === undefined || item.type === "message"
      ? message
      : item.type === "function_call"
        ? functionCall
        : item.type === "function_call_output"
          ? functionCallOutput
          : undefined;
  if (schema === undefined) {
    const why = item.type === "item_reference" ? `item references need stored responses; ${STATELESS_HINT}` : "";
    ctx.addIssue({
      code: "custom",
      path: ["type"],
      message:
        why ||
        `input items of type '${item.type}' are not supported (message, function_call and function_call_output are)`,
    });
    return z.NEVER;
  }
  const parsed = schema.safeParse(item);
  if (!parsed.success) {
    copyIssues(parsed.error.issues, ctx);
    return z.NEVER;
  }
  return parsed.data;
});

const functionTool = z.looseObject({
  type: z.literal("function"),
  name: z.string().regex(TOOL_NAME, "tool names match ^[a-zA-Z0-9_-]{1,64}$"),
  description: z.string().nullish(),
  // Optional (the API requires it) so that a gateway tool can be offered by name alone, as on chat.
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});
const tool = z.looseObject({ type: z.string() }).transform((t, ctx) => {
  if (t.type !== "function") {
    ctx.addIssue({
      code: "custom",
      path: ["type"],
      message: `tools of type '${t.type}' are hosted by OpenAI and not available through this gateway (function tools are)`,
    });
    return z.NEVER;
  }
  const parsed = functionTool.safeParse(t);
  if (parsed.success) return parsed.data;
  copyIssues(parsed.error.issues, ctx);
  return z.NEVER;
});

const toolChoice = z.union(
  [z.enum(["none", "auto", "required"]), z.object({ type: z.literal("function"), name: z.string().min(1) })],
  { error: "expected 'none', 'auto', 'required' or { type: 'function', name }" },
);

const textFormat = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text") }),
  z.object({ type: z.literal("json_object") }),
  z.object({
    type: z.literal("json_schema"),
    name: z.string().regex(TOOL_NAME, "schema names match ^[a-zA-Z0-9_-]{1,64}$"),
    schema: z.record(z.string(), z.unknown()),
    description: z.string().optional(),
    strict: z.boolean().nullish(),
  }),
]);

const metadata = z
  .record(z.string().max(64, "metadata keys are at most 64 characters"), z.string().max(512))
  .refine((m) => Object.keys(m).length <= 16, "at most 16 metadata pairs");

/** Only the "off" values (absent, null, false) are accepted; anything else is refused with `why`. */
function onlyAbsent<T extends z.ZodType>(schema: T, why: string) {
  return schema.nullish().refine((v) => v === undefined || v === null || v === false, why);
}

export const responsesRequestSchema = z.strictObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(inputItem)], { error: "expected a string or an array of input items" }),
  instructions: z.string().nullish(),
  tools: z.array(tool).nullish(),
  tool_choice: toolChoice.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  text: z
    .object({
      format: textFormat.nullish(),
      verbosity: z.enum(["low", "medium", "high"]).nullish(),
    })
    .nullish(),
  max_output_tokens: z.number().int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  reasoning: z
    .looseObject({
      effort: z.enum(["none", "minimal", "low", "medium", "high", "xhigh"]).nullish(),
      // Summaries need reasoning items, which chat upstreams do not return: accepted, none is produced.
      summary: z.string().nullish(),
      generate_summary: z.string().nullish(),
    })
    .nullish(),
  metadata: metadata.nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_obfuscation: z.boolean().optional() }).nullish(),
  user: z.string().nullish(),
  safety_identifier: z.string().nullish(),
  prompt_cache_key: z.string().nullish(),
  prompt_cache_retention: z.string().nullish(),
  service_tier: z.enum(["auto", "default", "flex", "scale", "priority"]).nullish(),
  // Extra output (encrypted reasoning, logprobs, search results) that chat upstreams cannot provide: accepted, and
  // the answer is the same without it.
  include: z.array(z.string()).nullish(),
  truncation: z
    .enum(["disabled", "auto"])
    .nullish()
    .refine((v) => v !== "auto", {
      message: "truncation 'auto' is not supported: the gateway never drops input items",
    }),
  top_logprobs: z
    .number()
    .int()
    .nullish()
    .refine((v) => v === undefined || v === null || v === 0, {
      message: "top_logprobs is not supported on /v1/responses (use /v1/chat/completions)",
    }),
  store: onlyAbsent(z.boolean(), `store: true is not supported; ${STATELESS_HINT}`),
  previous_response_id: onlyAbsent(z.string(), `previous_response_id is not supported; ${STATELESS_HINT}`),
  conversation: onlyAbsent(z.unknown(), `conversation is not supported; ${STATELESS_HINT}`),
  background: onlyAbsent(z.boolean(), "background responses are not supported; use stream: true for long answers"),
  prompt: onlyAbsent(z.unknown(), "stored prompt templates are not supported; send the prompt in `input`"),
});

export type ResponsesRequest = z.infer<typeof responsesRequestSchema>;
export type ResponsesInputItem = Exclude<ResponsesRequest["input"], string>[number];
export type ResponsesInputPart = z.infer<typeof inputPart>;
export type ResponsesAssistantPart = z.infer<typeof assistantPart>;
export type ResponsesFunctionTool = z.infer<typeof functionTool>;
export type ResponsesTextFormat = z.infer<typeof textFormat>;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; message: string; param: string | null };

export function parseResponsesRequest(json: unknown): ParseResult<ResponsesRequest> {
  const parsed = responsesRequestSchema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const first = parsed.error.issues[0];
  if (first?.code === "unrecognized_keys") {
    const param = first.keys[0] ?? "";
    return { ok: false, message: `Unsupported field \`${param}\`: this gateway does not translate it`, param };
  }
  const problem = firstProblem(parsed.error);
  return { ok: false, message: problem.message, param: problem.param === "" ? null : problem.param };
}
