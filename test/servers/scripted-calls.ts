import type { Conversation } from "../../local/conversation";
import { type CompletionMeta, usageOf } from "../../local/openai-wire";
import { countTokens } from "../../local/words";
import type { ChatResponse } from "../../src/canonical/chat";
import type { Directives } from "./directives";
import type { Outcome } from "./outcome";

/**
 * A scripted tool-calling turn (`calls` directive): the exact calls a test wants the "model" to make, including
 * look-alike names and invalid arguments, so the gateway's tool loop can be driven turn by turn. JSON answers only.
 */
export function scriptedAnswer(
  conv: Conversation,
  d: Directives,
  meta: CompletionMeta,
  seq: number,
): Outcome | undefined {
  if (d.calls === undefined || conv.stream) return undefined;
  const calling = conv.toolName !== undefined || (d.callsRepeat && conv.toolResultText !== undefined);
  if (!calling) return undefined;
  const toolCalls = d.calls.map((call, i) => ({
    id: `call_script_${seq}_${i}`,
    type: "function" as const,
    function: { name: call.name, arguments: call.arguments },
  }));
  const completionTokens = d.calls.reduce((n, call) => n + countTokens(call.arguments) + 1, 0);
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
  return {
    kind: "json",
    status: 200,
    body,
    answer: { promptTokens: conv.promptTokens, completionTokens, reportedUsage: usage },
  };
}
