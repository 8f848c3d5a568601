import type { Conversation } from "./conversation";
import type { OpenAiReply } from "./openai-wire";
import { countTokens, sliceString, splitWords, wordPieces } from "./words";

const PREVIEW_WORDS = 8;

function preview(text: string): string {
  const words = splitWords(text);
  if (words.length === 0) return "(no user text)";
  const head = words.slice(0, PREVIEW_WORDS).join(" ");
  return words.length > PREVIEW_WORDS ? `"${head} …"` : `"${head}"`;
}

/** The honest, deterministic answer text: it says what produced it and summarises the prompt it was given. */
export function originAnswerText(conv: Conversation, verbose: boolean, name = "local origin"): string {
  const label = `[${name} · ${conv.model}]`;
  if (conv.toolResultText !== undefined) {
    return `${label} tool result received: ${conv.toolResultText.slice(0, 40)}`;
  }
  const userWords = countTokens(conv.lastUserText);
  const short =
    `${label} This is the local stand-in for a team's GPU cluster; no model ran, so this reply is deterministic. ` +
    `Your message had ${userWords} words and began: ${preview(conv.lastUserText)}.`;
  if (!verbose) return short;
  return (
    `${short} ${conv.model} answers at greater length, as a bigger model on the cluster would. ` +
    "In production this origin would be a vLLM or TGI server; the gateway routes to it, meters the stream and " +
    "bills the tokens exactly as it does here. Tokens are counted as whitespace-separated words."
  );
}

/** `max_tokens` (in words) truncates the answer and turns the finish reason into `length`. */
export function originReply(conv: Conversation, verbose: boolean, callId: string, name?: string): OpenAiReply {
  if (conv.toolName !== undefined) {
    const args = JSON.stringify({ query: conv.lastUserText });
    return { kind: "tool", callId, name: conv.toolName, arguments: args, argumentPieces: sliceString(args, 16) };
  }
  const words = splitWords(originAnswerText(conv, verbose, name));
  const capped = conv.maxTokens !== undefined && words.length > conv.maxTokens;
  const kept = capped ? words.slice(0, conv.maxTokens) : words;
  return { kind: "text", pieces: wordPieces(kept), finish: capped ? "length" : "stop" };
}

export function replyTokens(reply: OpenAiReply): number {
  return reply.kind === "text" ? reply.pieces.length : countTokens(reply.arguments);
}
