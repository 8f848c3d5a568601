import { embedText } from "../../local/embeddings";
import { embeddingInputs, parseOpenAiChat, parseOpenAiEmbeddings } from "../../local/openai-request";
import {
  chatCompletionFrames,
  chatCompletionJson,
  embeddingsJson,
  modelList,
  openAiErrorBody,
  usageOf,
} from "../../local/openai-wire";
import { countTokens } from "../../local/words";
import { errorFrame } from "./errors";
import type { Outcome } from "./outcome";
import { fakeCompletionTokens, planFakeReply, toOpenAiReply } from "./reply";
import type { FakeRoute, RouteInput } from "./route";

export const FAKE_OPENAI_MODELS = ["fake-small", "fake-large", "fake-embed"] as const;

function invalid(message: string): Outcome {
  return { kind: "json", status: 400, body: openAiErrorBody(400, message) };
}

function chat({ body, model, directives: d, seq }: RouteInput): Outcome {
  const parsed = parseOpenAiChat(body);
  if (!parsed.ok) return invalid(parsed.message);
  const conv = { ...parsed.value.conversation, model };
  const reply = planFakeReply(conv, d.tokens);
  const wire = toOpenAiReply(reply, `call_fake_${seq}`);
  const meta = { id: `chatcmpl-fake-${seq}`, created: Math.floor(Date.now() / 1000), model };
  const usage = d.omitUsage ? undefined : usageOf(conv.promptTokens, fakeCompletionTokens(reply));
  if (!conv.stream) return { kind: "json", status: 200, body: chatCompletionJson(meta, wire, usage) };
  const frames = chatCompletionFrames(meta, wire, conv.includeUsage ? usage : undefined);
  return { kind: "sse", frames, errorFrame: errorFrame("openai") };
}

function embeddings({ body, model, directives: d }: RouteInput): Outcome {
  const parsed = parseOpenAiEmbeddings(body);
  if (!parsed.ok) return invalid(parsed.message);
  const inputs = embeddingInputs(parsed.value);
  const vectors = inputs.map((text) => embedText(text, parsed.value.dimensions ?? undefined));
  const tokens = inputs.reduce((n, text) => n + countTokens(text), 0);
  const json: Partial<ReturnType<typeof embeddingsJson>> = embeddingsJson(
    model,
    vectors,
    parsed.value.encoding_format ?? "float",
    tokens,
  );
  if (d.omitUsage) delete json.usage;
  return { kind: "json", status: 200, body: json };
}

function models(): Outcome {
  return { kind: "json", status: 200, body: modelList(FAKE_OPENAI_MODELS, "fake-upstream", 1_700_000_000) };
}

export const openAiRoutes: FakeRoute[] = [
  { dialect: "openai", method: "POST", pattern: /^\/v1\/chat\/completions$/, modelFrom: "body", handle: chat },
  { dialect: "openai", method: "POST", pattern: /^\/v1\/embeddings$/, modelFrom: "body", handle: embeddings },
  { dialect: "openai", method: "GET", pattern: /^\/v1\/models$/, modelFrom: "none", handle: models },
];
