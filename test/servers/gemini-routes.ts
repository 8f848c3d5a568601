import { z } from "zod";
import { type Conversation, type Parsed, promptTokensOf } from "../../local/conversation";
import { embedText } from "../../local/embeddings";
import { sseJson } from "../../local/sse";
import { wordPieces } from "../../local/words";
import type { Directives } from "./directives";
import { errorFrame, geminiErrorBody } from "./errors";
import type { Outcome } from "./outcome";
import { type FakeReply, fakeCompletionTokens, planFakeReply } from "./reply";
import type { FakeRoute, RouteInput } from "./route";

/**
 * Gemini `generateContent`, `streamGenerateContent` (`?alt=sse` for SSE, else one JSON array) and
 * `batchEmbedContents`, under `/gemini/v1beta/models/{model}:{action}`. Gemini streams have no terminator: the last
 * chunk carries `finishReason` and the full `usageMetadata`.
 */

const PartSchema = z.looseObject({
  text: z.string().optional(),
  functionCall: z.looseObject({ name: z.string(), args: z.unknown().optional() }).optional(),
  functionResponse: z.looseObject({ name: z.string(), response: z.unknown().optional() }).optional(),
});

const GenerateSchema = z.looseObject({
  contents: z.array(z.looseObject({ role: z.string().optional(), parts: z.array(PartSchema) })).min(1),
  systemInstruction: z.looseObject({ parts: z.array(PartSchema) }).nullish(),
  tools: z
    .array(z.looseObject({ functionDeclarations: z.array(z.looseObject({ name: z.string() })).optional() }))
    .nullish(),
  toolConfig: z
    .looseObject({
      functionCallingConfig: z
        .looseObject({ mode: z.string().optional(), allowedFunctionNames: z.array(z.string()).optional() })
        .optional(),
    })
    .nullish(),
  generationConfig: z.looseObject({ maxOutputTokens: z.number().int().positive().optional() }).nullish(),
});

type Part = z.infer<typeof PartSchema>;

function partText(p: Part): string {
  if (p.text !== undefined) return p.text;
  if (p.functionCall) return JSON.stringify(p.functionCall.args ?? {});
  if (p.functionResponse) return JSON.stringify(p.functionResponse.response ?? {});
  return "";
}

export function parseGemini(body: unknown, model: string, stream: boolean): Parsed<Conversation> {
  const parsed = GenerateSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, message: issue ? `${issue.path.join(".")}: ${issue.message}` : "invalid request body" };
  }
  const b = parsed.data;
  const texts = (b.systemInstruction?.parts ?? []).map(partText);
  let lastUserText = "";
  for (const c of b.contents) {
    texts.push(...c.parts.map(partText));
    const userText = c.parts.filter((p) => p.text !== undefined).map(partText);
    if ((c.role ?? "user") === "user" && userText.length > 0) lastUserText = userText.join("\n");
  }
  const conv: Conversation = { model, promptTokens: promptTokensOf(texts), lastUserText, stream, includeUsage: false };
  const maxTokens = b.generationConfig?.maxOutputTokens;
  if (maxTokens !== undefined) conv.maxTokens = maxTokens;
  const last = b.contents[b.contents.length - 1];
  const response = last?.parts.find((p) => p.functionResponse !== undefined);
  const firstTool = b.tools?.flatMap((t) => t.functionDeclarations ?? [])[0]?.name;
  const calling = b.toolConfig?.functionCallingConfig;
  if (response !== undefined) conv.toolResultText = partText(response);
  else if ((last?.role ?? "user") === "user" && firstTool !== undefined && calling?.mode !== "NONE") {
    conv.toolName = calling?.allowedFunctionNames?.[0] ?? firstTool;
  }
  return { ok: true, value: conv };
}

/** Gemini counts cached content inside promptTokenCount and details it in `cachedContentTokenCount`. */
function usageMetadata(conv: Conversation, completion: number | undefined, cached: number) {
  const cache = cached > 0 ? { cachedContentTokenCount: cached } : {};
  if (completion === undefined)
    return { promptTokenCount: conv.promptTokens, totalTokenCount: conv.promptTokens, ...cache };
  return {
    promptTokenCount: conv.promptTokens,
    candidatesTokenCount: completion,
    totalTokenCount: conv.promptTokens + completion,
    ...cache,
  };
}

function finishReason(reply: FakeReply): string {
  return reply.kind === "text" && reply.finish === "length" ? "MAX_TOKENS" : "STOP";
}

interface Chunk {
  payload: Record<string, unknown>;
  content: boolean;
}

/** One chunk per word, then a final chunk with the finish reason and full usage (as the real API streams). */
function streamChunks(conv: Conversation, reply: FakeReply, responseId: string, d: Directives): Chunk[] {
  const omitUsage = d.omitUsage;
  const make = (parts: unknown[], last: boolean): Record<string, unknown> => {
    const candidate: Record<string, unknown> = { content: { role: "model", parts }, index: 0 };
    if (last) candidate.finishReason = finishReason(reply);
    const out: Record<string, unknown> = { candidates: [candidate], modelVersion: conv.model, responseId };
    if (!omitUsage) out.usageMetadata = usageMetadata(conv, last ? fakeCompletionTokens(reply) : undefined, d.cached);
    return out;
  };
  if (reply.kind === "tool") {
    return [{ payload: make([{ functionCall: { name: reply.name, args: reply.input } }], true), content: true }];
  }
  const chunks = wordPieces(reply.words).map((text) => ({ payload: make([{ text }], false), content: true }));
  chunks.push({ payload: make([{ text: "" }], true), content: false });
  return chunks;
}

export function generate(input: RouteInput, mode: "json" | "stream"): Outcome {
  const { body, model, directives: d, seq, query } = input;
  const parsed = parseGemini(body, model, mode === "stream");
  if (!parsed.ok) return { kind: "json", status: 400, body: geminiErrorBody(400, parsed.message) };
  const conv = parsed.value;
  const reply = planFakeReply(conv, d.tokens);
  const responseId = `fake-${seq}`;
  const answer = { promptTokens: conv.promptTokens, completionTokens: fakeCompletionTokens(reply) };
  if (mode === "stream") {
    const chunks = streamChunks(conv, reply, responseId, d);
    if (query.get("alt") !== "sse") return { kind: "json", status: 200, body: chunks.map((c) => c.payload) };
    const frames = chunks.map((c) => sseJson(c.payload, { content: c.content }));
    return { kind: "sse", frames, errorFrame: errorFrame("gemini"), answer };
  }
  const parts =
    reply.kind === "text"
      ? [{ text: reply.words.join(" ") }]
      : [{ functionCall: { name: reply.name, args: reply.input } }];
  const json: Record<string, unknown> = {
    candidates: [{ content: { role: "model", parts }, finishReason: finishReason(reply), index: 0 }],
    modelVersion: model,
    responseId,
  };
  if (!d.omitUsage) json.usageMetadata = usageMetadata(conv, fakeCompletionTokens(reply), d.cached);
  return { kind: "json", status: 200, body: json, answer };
}

const EmbedSchema = z.looseObject({
  requests: z
    .array(
      z.looseObject({
        content: z.looseObject({ parts: z.array(PartSchema) }),
        outputDimensionality: z.number().int().min(8).max(4096).optional(),
      }),
    )
    .min(1),
});

function batchEmbed({ body }: RouteInput): Outcome {
  const parsed = EmbedSchema.safeParse(body);
  if (!parsed.success) {
    return { kind: "json", status: 400, body: geminiErrorBody(400, parsed.error.issues[0]?.message ?? "bad body") };
  }
  const embeddings = parsed.data.requests.map((r) => ({
    values: embedText(r.content.parts.map(partText).join("\n"), r.outputDimensionality),
  }));
  return { kind: "json", status: 200, body: { embeddings } };
}

const MODEL_PATH = "^/gemini/v1beta/models/(.+)";

export const geminiRoutes: FakeRoute[] = [
  {
    dialect: "gemini",
    method: "POST",
    pattern: new RegExp(`${MODEL_PATH}:generateContent$`),
    modelFrom: "path",
    handle: (input) => generate(input, "json"),
  },
  {
    dialect: "gemini",
    method: "POST",
    pattern: new RegExp(`${MODEL_PATH}:streamGenerateContent$`),
    modelFrom: "path",
    handle: (input) => generate(input, "stream"),
  },
  {
    dialect: "gemini",
    method: "POST",
    pattern: new RegExp(`${MODEL_PATH}:batchEmbedContents$`),
    modelFrom: "path",
    handle: batchEmbed,
  },
];
