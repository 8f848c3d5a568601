import type { Sampler } from "./config";
import type { TraceContext } from "./trace-context";

const SCALE = 2 ** 52;

/**
 * Whether a new trace (or a request joining `parent`) is recorded. Ratio sampling decides on the trace id's random
 * low 56 bits (W3C), of which the top 52 (what a double holds exactly), so services sampling one trace at the same
 * ratio agree.
 */
export function shouldSample(sampler: Sampler, traceId: string, parent: TraceContext | undefined): boolean {
  switch (sampler.kind) {
    case "always_on":
      return true;
    case "always_off":
      return false;
    case "parent":
      return parent === undefined ? sampler.root === "always_on" : parent.sampled;
    case "ratio":
      if (sampler.parentBased && parent !== undefined) return parent.sampled;
      return ratioSample(traceId, sampler.ratio);
  }
}

export function ratioSample(traceId: string, ratio: number): boolean {
  if (ratio >= 1) return true;
  if (ratio <= 0) return false;
  return Number.parseInt(traceId.slice(-14, -1), 16) < ratio * SCALE;
}
