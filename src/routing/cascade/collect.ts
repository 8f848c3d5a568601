import type { ChatResponse, ChunkEvent } from "../../canonical/chat";
import type { AnswerText } from "./checks";
import { LogprobAccumulator, type LogprobStats } from "./logprobs";

/**
 * What the cascade judges of an answer, collected from a JSON response or from stream events (choice 0: a cascade
 * runs only for `n: 1`). The stream collector also counts the bytes it holds, so the caller can bound its buffer.
 */

export interface CollectedAnswer {
  answer: AnswerText;
  logprobs?: LogprobStats;
}

export function collectJson(response: ChatResponse): CollectedAnswer {
  const choice = response.choices[0];
  const acc = new LogprobAccumulator();
  acc.add(choice?.logprobs);
  const stats = acc.stats();
  const answer: AnswerText = {
    content: choice?.message.content ?? "",
    refusal: choice?.message.refusal ?? null,
    toolCalls: choice?.message.tool_calls?.length ?? 0,
    finishReason: choice?.finish_reason ?? null,
  };
  return stats === undefined ? { answer } : { answer, logprobs: stats };
}

export class StreamCollector {
  private content = "";
  private refusal = "";
  private toolCalls = new Set<number>();
  private finishReason: string | null = null;
  private readonly logprobs = new LogprobAccumulator();
  /** Approximate bytes held: the events' text lengths (raw payload when present). */
  bytes = 0;

  add(event: ChunkEvent): void {
    this.bytes += event.raw?.length ?? JSON.stringify(event.chunk).length;
    for (const choice of event.chunk.choices) {
      if (choice.index !== 0) continue;
      if (typeof choice.delta.content === "string") this.content += choice.delta.content;
      if (typeof choice.delta.refusal === "string") this.refusal += choice.delta.refusal;
      for (const call of choice.delta.tool_calls ?? []) this.toolCalls.add(call.index);
      if (choice.finish_reason !== null && choice.finish_reason !== undefined) this.finishReason = choice.finish_reason;
      this.logprobs.add(choice.logprobs);
    }
  }

  collected(): CollectedAnswer {
    const answer: AnswerText = {
      content: this.content,
      refusal: this.refusal === "" ? null : this.refusal,
      toolCalls: this.toolCalls.size,
      finishReason: this.finishReason,
    };
    const stats = this.logprobs.stats();
    return stats === undefined ? { answer } : { answer, logprobs: stats };
  }
}
