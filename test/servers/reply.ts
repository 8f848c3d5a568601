import type { Conversation } from "../../local/conversation";
import type { OpenAiReply } from "../../local/openai-wire";
import { countTokens, sliceString, splitWords, wordPieces } from "../../local/words";

/**
 * The fake's deterministic answer, independent of wire format:
 * - tools present and the last message from the user: call the first tool with {"query": <last user text>};
 * - last message a tool result: "tool result received: <first 40 chars>";
 * - a `text` directive: exactly that text (split into words);
 * - otherwise "echo:" + the first words of the last user message, then filler, `tokens` words in all.
 * `maxTokens` (words) truncates a text answer and makes the finish reason "length". Tool calls are never truncated,
 * so their arguments stay valid JSON.
 */
export type FakeReply =
  | { kind: "text"; words: string[]; finish: "stop" | "length" }
  | { kind: "tool"; name: string; input: { query: string }; arguments: string };

const ECHO_WORDS = 4;
const FILLER = splitWords(
  "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua",
);

function echoWords(userText: string, tokens: number): string[] {
  const out = ["echo:", ...splitWords(userText).slice(0, ECHO_WORDS)];
  for (let i = 0; out.length < tokens; i++) out.push(FILLER[i % FILLER.length] ?? "lorem");
  return out.slice(0, tokens);
}

export function planFakeReply(conv: Conversation & { fixedText?: string }, tokens: number): FakeReply {
  if (conv.toolName !== undefined) {
    const input = { query: conv.lastUserText };
    return { kind: "tool", name: conv.toolName, input, arguments: JSON.stringify(input) };
  }
  const words =
    conv.fixedText !== undefined
      ? splitWords(conv.fixedText)
      : conv.toolResultText !== undefined
        ? splitWords(`tool result received: ${conv.toolResultText.slice(0, 40)}`)
        : echoWords(conv.lastUserText, tokens);
  const capped = conv.maxTokens !== undefined && words.length > conv.maxTokens;
  return { kind: "text", words: capped ? words.slice(0, conv.maxTokens) : words, finish: capped ? "length" : "stop" };
}

/** The fake's own completion count: words of the text, or words of the tool-call arguments JSON. */
export function fakeCompletionTokens(reply: FakeReply): number {
  return reply.kind === "text" ? reply.words.length : countTokens(reply.arguments);
}

export function toOpenAiReply(reply: FakeReply, callId: string): OpenAiReply {
  if (reply.kind === "text") return { kind: "text", pieces: wordPieces(reply.words), finish: reply.finish };
  return {
    kind: "tool",
    callId,
    name: reply.name,
    arguments: reply.arguments,
    argumentPieces: sliceString(reply.arguments, 12),
  };
}
