import { describe, expect, it } from "vitest";
import { CircuitBreakers } from "../../../src/routing/circuit-breaker";
import { executePlan } from "../../../src/routing/execute";
import { exec, plan, served, trailOf } from "./exec-harness";
import { type Step, scripted, sequence, VirtualClock } from "./helpers";

const s = (status: number, retryAfterMs?: number): Step<string> => ({
  fail: retryAfterMs === undefined ? { kind: "status", status } : { kind: "status", status, retryAfterMs },
});

describe("executePlan: deadline and backoff", () => {
  it("stops at the deadline: the last attempt gets only what is left, later targets are never called", async () => {
    const hang: Step<string>[] = [{ hang: true }];
    const { result, calls, clock } = await exec(
      plan(["a/1", "b/1", "c/1", "d/1"], { timeouts: { attempt_ms: 1000, deadline_ms: 2500 } }),
      { "a/1": hang, "b/1": hang, "c/1": hang, "d/1": hang },
    );
    expect(served(result)).toBe("error:deadline_exceeded");
    expect(calls.map((c) => [c.targetKey, c.at])).toEqual([
      ["a/1", 0],
      ["b/1", 1000],
      ["c/1", 2000],
    ]);
    expect(clock.t).toBe(2500);
    expect(result.attempts).toBe(3);
  });

  it("never sleeps past the deadline between retries", async () => {
    const { result, calls, clock } = await exec(
      plan(["a/1"], {
        retry: { max_retries: 10, base_backoff_ms: 1000, max_backoff_ms: 10_000 },
        timeouts: { attempt_ms: 1000, deadline_ms: 3000 },
      }),
      { "a/1": [s(503)] },
      { random: sequence(0.999) },
    );
    // Delays 999 and 1998 fit; the third (3996, capped to the 3 ms left) would start at the deadline: not taken.
    expect(calls.map((c) => c.at)).toEqual([0, 999, 2997]);
    expect(clock.t).toBeLessThanOrEqual(3000);
    expect(served(result)).toBe("error:upstream_error");
  });

  it("sleeps with full jitter between retries", async () => {
    const { calls } = await exec(
      plan(["a/1"], {
        retry: { max_retries: 3, base_backoff_ms: 100, max_backoff_ms: 1000 },
        circuit_breaker: { failure_threshold: 10, cooldown_ms: 1000 },
      }),
      { "a/1": [s(503), s(503), s(503), { ok: "A" }] },
      { random: sequence(0.5, 0.25, 0.9) },
    );
    // 0.5 * 100, then 0.25 * 200, then 0.9 * 400.
    expect(calls.map((c) => c.at)).toEqual([0, 50, 100, 460]);
  });

  it("waits exactly as long as the upstream's Retry-After asks", async () => {
    const { result, calls } = await exec(
      plan(["a/1"], { retry: { max_retries: 1, base_backoff_ms: 100, max_backoff_ms: 1000 } }),
      { "a/1": [s(429, 600), { ok: "A" }] },
    );
    expect(served(result)).toBe("a/1=A");
    expect(calls.map((c) => c.at)).toEqual([0, 600]);
  });

  it("falls back at once when Retry-After asks for more than the route's longest backoff", async () => {
    const { result, calls } = await exec(
      plan(["a/1", "b/1"], { retry: { max_retries: 3, base_backoff_ms: 100, max_backoff_ms: 1000 } }),
      { "a/1": [s(429, 5000)], "b/1": [{ ok: "B" }] },
    );
    expect(served(result)).toBe("b/1=B");
    expect(calls.map((c) => [c.targetKey, c.at])).toEqual([
      ["a/1", 0],
      ["b/1", 0],
    ]);
  });
});

describe("executePlan: circuit breakers", () => {
  const route = { circuit_breaker: { failure_threshold: 3, cooldown_ms: 10_000 } };

  it("opens after N failures and then skips the target", async () => {
    const clock = new VirtualClock();
    const breakers = new CircuitBreakers(clock.now);
    const script = { "a/1": [s(503)], "b/1": [{ ok: "B" }] };
    for (let i = 0; i < 3; i++) {
      const { calls } = await exec(plan(["a/1", "b/1"], route), script, { clock, breakers });
      expect(calls.map((c) => c.targetKey)).toEqual(["a/1", "b/1"]);
    }
    expect(breakers.state("a/1")).toBe("open");
    const { result, calls } = await exec(plan(["a/1", "b/1"], route), script, { clock, breakers });
    expect(calls.map((c) => c.targetKey)).toEqual(["b/1"]);
    expect(trailOf(result)).toEqual(["a/1 circuit_open", "b/1 ok"]);
    expect(result.attempts).toBe(1);
  });

  it("counts retries towards the threshold and stops retrying once open", async () => {
    const { calls, breakers, result } = await exec(
      plan(["a/1", "b/1"], { ...route, retry: { max_retries: 5, base_backoff_ms: 10, max_backoff_ms: 10 } }),
      { "a/1": [s(503)], "b/1": [{ ok: "B" }] },
    );
    expect(calls.filter((c) => c.targetKey === "a/1")).toHaveLength(3);
    expect(breakers.state("a/1")).toBe("open");
    expect(served(result)).toBe("b/1=B");
  });

  it.each([
    ["400", s(400)],
    ["404", s(404)],
  ])("does not count a %s against the upstream", async (_name, step) => {
    const clock = new VirtualClock();
    const breakers = new CircuitBreakers(clock.now);
    for (let i = 0; i < 5; i++) await exec(plan(["a/1"], route), { "a/1": [step] }, { clock, breakers });
    expect(breakers.state("a/1")).toBe("closed");
  });

  it("counts timeouts", async () => {
    const { breakers } = await exec(plan(["a/1"], { circuit_breaker: { failure_threshold: 1, cooldown_ms: 10 } }), {
      "a/1": [{ hang: true }],
    });
    expect(breakers.state("a/1")).toBe("open");
  });

  it("fails fast with upstream_unavailable and a Retry-After when every breaker is open", async () => {
    const clock = new VirtualClock();
    const breakers = new CircuitBreakers(clock.now);
    const cfg = { failure_threshold: 1, cooldown_ms: 4000 };
    breakers.onFailure("a/1", cfg);
    clock.t = 1000;
    breakers.onFailure("b/1", cfg);
    const { result, calls } = await exec(
      plan(["a/1", "b/1"]),
      { "a/1": [{ ok: "A" }], "b/1": [{ ok: "B" }] },
      { clock, breakers },
    );
    expect(calls).toHaveLength(0);
    expect(served(result)).toBe("error:upstream_unavailable");
    expect(result.ok ? {} : result.error.headers).toEqual({ "retry-after": "3" });
    expect(result.attempts).toBe(0);
  });

  it("half-open admits a single probe: a concurrent request goes elsewhere, and success closes", async () => {
    const clock = new VirtualClock();
    const breakers = new CircuitBreakers(clock.now);
    const cfg = { failure_threshold: 1, cooldown_ms: 1000 };
    breakers.onFailure("a/1", cfg);
    clock.t = 1000;
    const upstream = scripted<string>(clock, { "a/1": [{ ok: "A", after: 500 }], "b/1": [{ ok: "B" }] });
    const deps = { attempt: upstream.attempt, breakers, now: clock.now, sleep: clock.sleep, random: sequence(0.5) };
    const p = plan(["a/1", "b/1"], { circuit_breaker: cfg });
    const [probe, other] = await clock.run(Promise.all([executePlan(p, deps), executePlan(p, deps)]));
    expect(served(probe)).toBe("a/1=A");
    expect(served(other)).toBe("b/1=B");
    expect(trailOf(other)).toEqual(["a/1 circuit_open", "b/1 ok"]);
    expect(breakers.state("a/1")).toBe("closed");
  });

  it("a failed probe reopens the breaker", async () => {
    const clock = new VirtualClock();
    const breakers = new CircuitBreakers(clock.now);
    const cfg = { failure_threshold: 1, cooldown_ms: 1000 };
    breakers.onFailure("a/1", cfg);
    clock.t = 1000;
    const { result } = await exec(
      plan(["a/1", "b/1"], { circuit_breaker: cfg }),
      { "a/1": [s(502)], "b/1": [{ ok: "B" }] },
      { clock, breakers },
    );
    expect(trailOf(result)).toEqual(["a/1 502", "b/1 ok"]);
    expect(breakers.state("a/1")).toBe("open");
  });

  it("frees the probe slot when the probe ends without a verdict", async () => {
    const clock = new VirtualClock();
    const breakers = new CircuitBreakers(clock.now);
    const cfg = { failure_threshold: 1, cooldown_ms: 1000 };
    breakers.onFailure("a/1", cfg);
    clock.t = 1000;
    await exec(plan(["a/1"], { circuit_breaker: cfg }), { "a/1": [s(400)] }, { clock, breakers });
    expect(breakers.state("a/1")).toBe("half_open");
    expect(breakers.isAvailable("a/1")).toBe(true);
  });
});
