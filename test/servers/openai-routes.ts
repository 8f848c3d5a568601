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
import type { Usage } from "../../src/canonical/chat";
import { type BadUsage, type Directives, NEGATIVE_ZERO } from "./directives";
import { errorFrame } from "./errors";
import type { Outcome } from "./outcome";
import { fakeCompletionTokens, planFakeReply, toOpenAiReply } from "./reply";
import type { FakeRoute, RouteInput } from "./route";
import { scriptedAnswer } from "./scripted-calls";

export const FAKE_OPENAI_MODELS = ["fake-small", "fake-large", "fake-embed"] as const;

function invalid(message: string): Outcome {
  return { kind: "json", status: 400, body: openAiErrorBody(400, message) };
}

/** Usage numbers no gateway should believe (see `bad_usage` in directives.ts). */
function badUsageOf(kind: BadUsage, honest: Usage): Usage {
  const wrong: Record<BadUsage, Record<string, unknown>> = {
    negative: {
      prompt_tokens: honest.prompt_tokens,
      completion_tokens: -5_000,
      total_tokens: honest.prompt_tokens - 5_000,
    },
    fractional: {
      prompt_tokens: honest.prompt_tokens + 0.5,
      completion_tokens: 2.25,
      total_tokens: honest.prompt_tokens + 2.75,
    },
    huge: { prompt_tokens: honest.prompt_tokens, completion_tokens: 1e12, total_tokens: honest.prompt_tokens + 1e12 },
    inconsistent: { ...honest, total_tokens: 1 },
    nan: { prompt_tokens: null, completion_tokens: null, total_tokens: null },
    negative_zero: {
      prompt_tokens: honest.prompt_tokens,
      completion_tokens: NEGATIVE_ZERO,
      total_tokens: honest.prompt_tokens,
    },
    zero: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
    cached_over_prompt: { ...honest, prompt_tokens_details: { cached_tokens: honest.prompt_tokens + 10 } },
  };
  return wrong[kind] as unknown as Usage;
}

/** OpenAI reports prompt-cache reads inside prompt_tokens, detailed in `prompt_tokens_details.cached_tokens`. */
function withCache(usage: Usage, d: Directives): Usage {
  return d.cached > 0 ? { ...usage, prompt_tokens_details: { cached_tokens: d.cached } } : usage;
}

function wantsLogprobs(body: unknown): boolean {
  return (body as { logprobs?: unknown } | null)?.logprobs === true;
}

/** Natural-log probabilities per token: `token_prob` each, the last one `min_token_prob` when given. */
function tokenLogprobs(count: number, d: Directives): number[] {
  return Array.from({ length: count }, (_, i) =>
    Math.log(i === count - 1 && d.minTokenProb !== undefined ? d.minTokenProb : d.tokenProb),
  );
}

export function chat({ body, model, directives: d, seq }: RouteInput): Outcome {
  const parsed = parseOpenAiChat(body);
  if (!parsed.ok) return invalid(parsed.message);
  const asked = parsed.value.conversation;
  const conv = d.ignoreMaxTokens ? { ...asked, model, maxTokens: undefined } : { ...asked, model };
  const meta = { id: `chatcmpl-fake-${seq}`, created: Math.floor(Date.now() / 1000), model };
  const scripted = scriptedAnswer(parsed.value.conversation, d, meta, seq);
  if (scripted !== undefined) return scripted;
  const reply = planFakeReply(d.text === undefined ? conv : { ...conv, fixedText: d.text }, d.tokens);
  const wire = toOpenAiReply(reply, `call_fake_${seq}`);
  const completionTokens = fakeCompletionTokens(reply);
  const honest = withCache(usageOf(conv.promptTokens, completionTokens), d);
  const usage = d.omitUsage ? undefined : d.badUsage === undefined ? honest : badUsageOf(d.badUsage, honest);
  const sent = conv.stream && !conv.includeUsage ? undefined : usage;
  const answer = {
    promptTokens: conv.promptTokens,
    completionTokens,
    ...(sent === undefined ? {} : { reportedUsage: sent }),
  };
  const logprobs = wantsLogprobs(body) && reply.kind === "text" ? tokenLogprobs(reply.words.length, d) : undefined;
  if (!conv.stream) return { kind: "json", status: 200, body: chatCompletionJson(meta, wire, usage, logprobs), answer };
  const frames = chatCompletionFrames(meta, wire, sent, logprobs);
  return { kind: "sse", frames, errorFrame: errorFrame("openai"), answer };
}

export function embeddings({ body, model, directives: d }: RouteInput): Outcome {
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
