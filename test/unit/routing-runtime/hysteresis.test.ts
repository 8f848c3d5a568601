import { describe, expect, it } from "vitest";
import { updateEwma } from "../../../src/routing/load/ewma";
import { type LoadView, nextSpillState, type SpillThresholds } from "../../../src/routing/load/hysteresis";
import { spillPlan } from "../../../src/routing/load/spill-plan";
import type { RoutePlan } from "../../../src/routing/plan";

const T: SpillThresholds = {
  spill_at: { waiting: 1, kv_cache_usage: 0.9, in_flight: 8 },
  resume_at: { kv_cache_usage: 0.7, in_flight: 4 },
};
const idle: LoadView = { inFlight: 0, waiting: 0, kvCacheUsage: 0.1 };

describe("nextSpillState", () => {
  describe.each<[string, boolean, LoadView, boolean, string | undefined]>([
    ["idle stays on the origin", false, idle, false, undefined],
    ["one waiting request spills", false, { ...idle, waiting: 1 }, true, "waiting"],
    ["KV cache at the level spills", false, { ...idle, kvCacheUsage: 0.9 }, true, "kv_cache_usage"],
    ["in-flight at the level spills", false, { ...idle, inFlight: 8 }, true, "in_flight"],
    ["between the levels, not spilling: stays", false, { ...idle, kvCacheUsage: 0.8 }, false, undefined],
    ["between the levels, spilling: keeps spilling", true, { ...idle, kvCacheUsage: 0.8 }, true, "kv_cache_usage"],
    ["at the resume level: resumes", true, { ...idle, kvCacheUsage: 0.7 }, false, undefined],
    ["in-flight between levels holds the spill", true, { ...idle, inFlight: 5 }, true, "in_flight"],
    ["a gauge without resume level resumes below its spill level", true, { ...idle, waiting: 0 }, false, undefined],
    ["no samples at all: nothing to go on", false, { inFlight: 0 }, false, undefined],
    ["no samples while spilling: resumes", true, { inFlight: 0 }, false, undefined],
    ["unconfigured gauge (ttft) is ignored", false, { ...idle, ttftMs: 99_999 }, false, undefined],
  ])("%s", (_name, spilling, view, expected, gauge) => {
    it(`-> ${expected}`, () => {
      const d = nextSpillState(spilling, view, T);
      expect(d.spilling).toBe(expected);
      expect(d.gauge).toBe(gauge);
    });
  });

  it("does not flap across a sequence hovering around the spill level", () => {
    const series = [0.5, 0.91, 0.89, 0.85, 0.92, 0.75, 0.71, 0.69, 0.8, 0.88];
    let spilling = false;
    const states = series.map((kv) => {
      spilling = nextSpillState(spilling, { inFlight: 0, kvCacheUsage: kv }, T).spilling;
      return spilling;
    });
    expect(states).toEqual([false, true, true, true, true, true, true, false, false, false]);
  });
});

describe("updateEwma", () => {
  describe.each<[string, { value: number; at: number } | undefined, number, number, number]>([
    ["first sample is the value", undefined, 100, 0, 100],
    ["after one half-life: halfway", { value: 100, at: 0 }, 200, 1000, 150],
    ["after two half-lives: three quarters", { value: 100, at: 0 }, 200, 2000, 175],
    ["same millisecond still moves it by a tenth", { value: 100, at: 0 }, 200, 0, 110],
    ["a clock going back is treated as no time", { value: 100, at: 500 }, 200, 0, 110],
  ])("%s", (_name, prev, sample, now, expected) => {
    it(`= ${expected}`, () => {
      expect(updateEwma(prev, sample, now, 1000).value).toBeCloseTo(expected, 6);
    });
  });
});

function plan(...providers: string[]): RoutePlan {
  const attempts = providers.map((p, i) => ({
    alias: i === 0 ? "small" : "small-hosted",
    providerId: p,
    upstreamModel: `m-${p}`,
    targetKey: `${p}/m-${p}`,
    model: {} as RoutePlan["model"],
  }));
  return { route: {} as RoutePlan["route"], alias: "small", model: {} as RoutePlan["model"], attempts };
}

describe("spillPlan", () => {
  describe.each<[string, string[], string[], string[], boolean]>([
    ["nothing spilling", ["origin", "hosted"], [], ["origin", "hosted"], false],
    ["origin spilling moves behind the hosted fallback", ["origin", "hosted"], ["origin"], ["hosted", "origin"], true],
    ["nothing else to try: order kept", ["origin"], ["origin"], ["origin"], false],
    ["everything spilling: order kept", ["origin", "origin2"], ["origin", "origin2"], ["origin", "origin2"], false],
    ["spilling fallback only: first unchanged", ["hosted", "origin"], ["origin"], ["hosted", "origin"], false],
    ["two origins, one spilling", ["a", "b", "hosted"], ["a"], ["b", "hosted", "a"], true],
  ])("%s", (_name, providers, spilling, expected, spilled) => {
    it("reorders", () => {
      const out = spillPlan(plan(...providers), new Set(spilling));
      expect(out.plan.attempts.map((a) => a.providerId)).toEqual(expected);
      expect(out.spilled).toBe(spilled);
    });
  });
});
