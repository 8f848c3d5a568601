/**
 * Token log-probabilities in OpenAI's wire shape (`choices[].logprobs.content[].logprob`, the same in stream
 * chunks), reduced to what a cascade judges: the mean and the minimum over the answer's tokens. Pure and defensive:
 * the field is `unknown` in the canonical types (upstreams send what they send).
 */

export interface LogprobStats {
  tokens: number;
  /** Mean token logprob (natural log); exp(mean) is the geometric-mean token probability. */
  mean: number;
  min: number;
}

/** Accumulates token logprobs across JSON choices or stream chunks. */
export class LogprobAccumulator {
  private sum = 0;
  private count = 0;
  private lowest = 0;

  /** Adds the tokens of one `logprobs` object (`{content: [{token, logprob, ...}]}`); anything else is ignored. */
  add(logprobs: unknown): void {
    if (typeof logprobs !== "object" || logprobs === null) return;
    const content = (logprobs as { content?: unknown }).content;
    if (!Array.isArray(content)) return;
    for (const entry of content) {
      const lp = (entry as { logprob?: unknown } | null)?.logprob;
      // Positive or non-finite values are not log-probabilities; -9999 is OpenAI's "below the float floor".
      if (typeof lp !== "number" || !Number.isFinite(lp) || lp > 0) continue;
      this.sum += lp;
      this.lowest = this.count === 0 ? lp : Math.min(this.lowest, lp);
      this.count += 1;
    }
  }

  stats(): LogprobStats | undefined {
    if (this.count === 0) return undefined;
    return { tokens: this.count, mean: this.sum / this.count, min: this.lowest };
  }
}

export function logprobStats(logprobs: unknown): LogprobStats | undefined {
  const acc = new LogprobAccumulator();
  acc.add(logprobs);
  return acc.stats();
}
