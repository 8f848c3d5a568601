import { z } from "zod";
import { type Conversation, type Parsed, promptTokensOf } from "../../local/conversation";
import { wordPieces } from "../../local/words";
import { AWS_TEST_CREDENTIALS } from "./cloud-credentials";
import type { Directives } from "./directives";
import { bedrockErrorType, errorHeaders } from "./errors";
import { eventFrame, exceptionFrame } from "./event-stream-encode";
import type { Outcome } from "./outcome";
import { type FakeReply, fakeCompletionTokens, planFakeReply } from "./reply";
import type { FakeRoute, RawRequest, RouteInput } from "./route";
import { verifySigV4 } from "./sigv4-verify";

/**
 * AWS Bedrock Runtime Converse (`POST /bedrock/model/{modelId}/converse`) and ConverseStream (`.../converse-stream`,
 * a binary event stream). Every request must carry a valid SigV4 signature for region `us-east-1`, service `bedrock`
 * and the test access key (cloud-credentials.ts), verified independently of the Worker's signer; anything else is
 * the 403 AWS sends.
 */

export const BEDROCK_TEST_REGION = "us-east-1";

const BlockSchema = z.looseObject({
  text: z.string().optional(),
  toolUse: z.looseObject({ toolUseId: z.string(), name: z.string(), input: z.unknown() }).optional(),
  toolResult: z
    .looseObject({ toolUseId: z.string(), content: z.array(z.looseObject({ text: z.string().optional() })) })
    .optional(),
  image: z.looseObject({ format: z.string(), source: z.looseObject({ bytes: z.string() }) }).optional(),
  cachePoint: z.looseObject({ type: z.literal("default") }).optional(),
});

const ConverseSchema = z.strictObject({
  messages: z
    .array(z.strictObject({ role: z.enum(["user", "assistant"]), content: z.array(BlockSchema).min(1) }))
    .min(1),
  system: z.array(BlockSchema).optional(),
  inferenceConfig: z
    .strictObject({
      maxTokens: z.int().min(1).optional(),
      temperature: z.number().min(0).max(1).optional(),
      topP: z.number().min(0).max(1).optional(),
      stopSequences: z.array(z.string()).max(4).optional(),
    })
    .optional(),
  toolConfig: z
    .strictObject({
      tools: z
        .array(
          z.looseObject({
            toolSpec: z.looseObject({ name: z.string() }).optional(),
            cachePoint: z.unknown().optional(),
          }),
        )
        .min(1),
      toolChoice: z.looseObject({ tool: z.looseObject({ name: z.string() }).optional() }).optional(),
    })
    .optional(),
});

type Block = z.infer<typeof BlockSchema>;

function blockText(b: Block): string {
  if (b.text !== undefined) return b.text;
  if (b.toolUse !== undefined) return JSON.stringify(b.toolUse.input ?? {});
  if (b.toolResult !== undefined) return b.toolResult.content.map((c) => c.text ?? "").join("\n");
  return "";
}

export function parseConverse(body: unknown, model: string, stream: boolean): Parsed<Conversation> {
  const parsed = ConverseSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, message: issue ? `${issue.path.join(".")}: ${issue.message}` : "invalid request body" };
  }
  const b = parsed.data;
  if (b.messages[0]?.role !== "user") return { ok: false, message: "A conversation must start with a user message." };
  for (let i = 1; i < b.messages.length; i++) {
    if (b.messages[i]?.role === b.messages[i - 1]?.role) {
      return { ok: false, message: "A conversation must alternate between user and assistant roles." };
    }
  }
  const texts = (b.system ?? []).map(blockText);
  let lastUserText = "";
  for (const m of b.messages) {
    texts.push(...m.content.map(blockText));
    const userText = m.content.filter((c) => c.text !== undefined).map(blockText);
    if (m.role === "user" && userText.length > 0) lastUserText = userText.join("\n");
  }
  const conv: Conversation = { model, promptTokens: promptTokensOf(texts), lastUserText, stream, includeUsage: true };
  const maxTokens = b.inferenceConfig?.maxTokens;
  if (maxTokens !== undefined) conv.maxTokens = maxTokens;
  const last = b.messages.at(-1);
  const result = last?.content.find((c) => c.toolResult !== undefined);
  const firstTool = b.toolConfig?.tools.find((t) => t.toolSpec !== undefined)?.toolSpec?.name;
  if (result !== undefined) conv.toolResultText = blockText(result);
  else if (last?.role === "user" && firstTool !== undefined) {
    conv.toolName = b.toolConfig?.toolChoice?.tool?.name ?? firstTool;
  }
  return { ok: true, value: conv };
}

function stopReason(reply: FakeReply): string {
  if (reply.kind === "tool") return "tool_use";
  return reply.finish === "length" ? "max_tokens" : "end_turn";
}

/** Like Anthropic's, Bedrock's inputTokens leaves out prompt-cache reads and writes, reported beside it. */
function usage(conv: Conversation, completion: number, d: Directives) {
  const input = Math.max(0, conv.promptTokens - d.cached - d.cacheWrite);
  const u: Record<string, number> = {
    inputTokens: input,
    outputTokens: completion,
    totalTokens: input + d.cached + d.cacheWrite + completion,
  };
  if (d.cached > 0) u.cacheReadInputTokens = d.cached;
  if (d.cacheWrite > 0) u.cacheWriteInputTokens = d.cacheWrite;
  return u;
}

function invalid(message: string): Outcome {
  return { kind: "json", status: 400, body: { message }, headers: errorHeaders(400, "bedrock") };
}

function streamFrames(conv: Conversation, reply: FakeReply, d: Directives, seq: number) {
  const frames: { bytes: Uint8Array; content: boolean }[] = [];
  frames.push({ bytes: eventFrame("messageStart", { role: "assistant" }), content: false });
  if (reply.kind === "tool") {
    const start = { toolUse: { toolUseId: `tooluse_fake_${seq}`, name: reply.name } };
    frames.push({ bytes: eventFrame("contentBlockStart", { contentBlockIndex: 0, start }), content: false });
    for (let i = 0; i < reply.arguments.length; i += 12) {
      const delta = { toolUse: { input: reply.arguments.slice(i, i + 12) } };
      frames.push({ bytes: eventFrame("contentBlockDelta", { contentBlockIndex: 0, delta }), content: true });
    }
  } else {
    for (const text of wordPieces(reply.words)) {
      frames.push({ bytes: eventFrame("contentBlockDelta", { contentBlockIndex: 0, delta: { text } }), content: true });
    }
  }
  frames.push({ bytes: eventFrame("contentBlockStop", { contentBlockIndex: 0 }), content: false });
  frames.push({ bytes: eventFrame("messageStop", { stopReason: stopReason(reply) }), content: false });
  const metadata: Record<string, unknown> = { metrics: { latencyMs: 12 } };
  if (!d.omitUsage) metadata.usage = usage(conv, fakeCompletionTokens(reply), d);
  frames.push({ bytes: eventFrame("metadata", metadata), content: false });
  return frames;
}

function converse({ body, model, directives: d, seq }: RouteInput, stream: boolean): Outcome {
  const parsed = parseConverse(body, model, stream);
  if (!parsed.ok) return invalid(parsed.message);
  const conv = parsed.value;
  const reply = planFakeReply(conv, d.tokens);
  const completion = fakeCompletionTokens(reply);
  const reported = d.omitUsage ? undefined : usage(conv, completion, d);
  const answer = {
    promptTokens: conv.promptTokens,
    completionTokens: completion,
    ...(reported && { reportedUsage: reported }),
  };
  if (stream) {
    return {
      kind: "binary",
      contentType: "application/vnd.amazon.eventstream",
      frames: streamFrames(conv, reply, d, seq),
      errorFrame: exceptionFrame("modelStreamErrorException", "The model stream failed (fake error_mid_stream)"),
      answer,
    };
  }
  const content =
    reply.kind === "text"
      ? [{ text: reply.words.join(" ") }]
      : [{ toolUse: { toolUseId: `tooluse_fake_${seq}`, name: reply.name, input: reply.input } }];
  const json: Record<string, unknown> = {
    output: { message: { role: "assistant", content } },
    stopReason: stopReason(reply),
    metrics: { latencyMs: 12 },
  };
  if (reported !== undefined) json.usage = reported;
  return { kind: "json", status: 200, body: json, answer };
}

function authenticate(raw: RawRequest): Outcome | undefined {
  const verdict = verifySigV4(raw, {
    region: BEDROCK_TEST_REGION,
    service: "bedrock",
    secrets: { [AWS_TEST_CREDENTIALS.accessKeyId]: AWS_TEST_CREDENTIALS.secretAccessKey },
  });
  if (verdict.ok) return undefined;
  const headers = {
    "x-amzn-errortype": `${bedrockErrorType(403)}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
  };
  return { kind: "json", status: 403, body: { message: verdict.reason }, headers };
}

const MODEL_PATH = "^/bedrock/model/(.+)";

export const bedrockRoutes: FakeRoute[] = [
  {
    dialect: "bedrock",
    method: "POST",
    pattern: new RegExp(`${MODEL_PATH}/converse$`),
    modelFrom: "path",
    authenticate,
    handle: (input) => converse(input, false),
  },
  {
    dialect: "bedrock",
    method: "POST",
    pattern: new RegExp(`${MODEL_PATH}/converse-stream$`),
    modelFrom: "path",
    authenticate,
    handle: (input) => converse(input, true),
  },
];
