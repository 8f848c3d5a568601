import type { Conversation } from "../../local/conversation";
import { type CompletionMeta, OPENAI_DONE, usageOf } from "../../local/openai-wire";
import { type SseFrame, sseJson } from "../../local/sse";
import { countTokens } from "../../local/words";
import type { ChatResponse } from "../../src/canonical/chat";
import type { Directives } from "./directives";
import { errorFrame } from "./errors";
import type { Outcome } from "./outcome";

/**
 * A scripted tool-calling turn (`calls` directive): the exact calls a test wants the "model" to make, including
 * look-alike names and invalid arguments, so the gateway's tool loop can be driven turn by turn; as JSON, or as an
 * OpenAI stream whose first content is a short text ("checking.") before the tool-call deltas, the way models that
 * think aloud before calling tools stream.
 */
export function scriptedAnswer(
  conv: Conversation,
  d: Directives,
  meta: CompletionMeta,
  seq: number,
): Outcome | undefined {
  if (d.calls === undefined) return undefined;
  const calling = conv.toolName !== undefined || (d.callsRepeat && conv.toolResultText !== undefined);
  if (!calling) return undefined;
  const toolCalls = d.calls.map((call, i) => ({
    id: `call_script_${seq}_${i}`,
    type: "function" as const,
    function: { name: call.name, arguments: call.arguments },
  }));
  // A stream also "says" THINKING before its calls; the fake counts it as output like any other word.
  const spoken = conv.stream ? countTokens(THINKING) : 0;
  const completionTokens = d.calls.reduce((n, call) => n + countTokens(call.arguments) + 1, spoken);
  const usage = usageOf(conv.promptTokens, completionTokens);
  const body: ChatResponse = {
    id: meta.id,
    object: "chat.completion",
    created: meta.created,
    model: meta.model,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: null, refusal: null, tool_calls: toolCalls },
        logprobs: null,
        finish_reason: "tool_calls",
      },
    ],
    usage,
  };
  const answer = { promptTokens: conv.promptTokens, completionTokens, reportedUsage: usage };
  if (!conv.stream) return { kind: "json", status: 200, body, answer };
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
    id: meta.id,
    object: "chat.completion.chunk",
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  });
  const frames: SseFrame[] = [
    sseJson(chunk({ role: "assistant", content: "" })),
    sseJson(chunk({ content: THINKING }), { content: true }),
    ...toolCalls.map((call, index) => sseJson(chunk({ tool_calls: [{ index, ...call }] }), { content: true })),
    sseJson(chunk({}, "tool_calls")),
  ];
  if (conv.includeUsage) {
    frames.push(
      sseJson({
        id: meta.id,
        object: "chat.completion.chunk",
        created: meta.created,
        model: meta.model,
        choices: [],
        usage,
      }),
    );
  }
  frames.push(OPENAI_DONE);
  return { kind: "sse", frames, errorFrame: errorFrame("openai"), answer };
}

/** The text a scripted streaming turn says before its tool calls. */
export const THINKING = "checking. ";
