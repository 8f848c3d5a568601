import { describe, expect, it } from "vitest";
import { CircuitBreakers } from "../../../src/routing/circuit-breaker";

const cfg = { failure_threshold: 3, cooldown_ms: 1000 };

function setup() {
  let t = 0;
  const breakers = new CircuitBreakers(() => t);
  return {
    breakers,
    advance: (ms: number) => {
      t += ms;
    },
    openIt: () => {
      for (let i = 0; i < cfg.failure_threshold; i++) breakers.onFailure("k", cfg);
    },
  };
}

describe("CircuitBreakers", () => {
  it("starts closed and admits calls", () => {
    const { breakers } = setup();
    expect(breakers.state("k")).toBe("closed");
    expect(breakers.isAvailable("k")).toBe(true);
    expect(breakers.acquire("k")).toBe(true);
    expect(breakers.acquire("k")).toBe(true);
  });

  it("opens after failure_threshold consecutive failures, not before", () => {
    const { breakers } = setup();
    breakers.onFailure("k", cfg);
    breakers.onFailure("k", cfg);
    expect(breakers.state("k")).toBe("closed");
    breakers.onFailure("k", cfg);
    expect(breakers.state("k")).toBe("open");
    expect(breakers.isAvailable("k")).toBe(false);
    expect(breakers.acquire("k")).toBe(false);
  });

  it("counts only consecutive failures", () => {
    const { breakers } = setup();
    breakers.onFailure("k", cfg);
    breakers.onFailure("k", cfg);
    breakers.onSuccess("k");
    breakers.onFailure("k", cfg);
    breakers.onFailure("k", cfg);
    expect(breakers.state("k")).toBe("closed");
  });

  it("keeps keys apart", () => {
    const { breakers, openIt } = setup();
    openIt();
    expect(breakers.isAvailable("other")).toBe(true);
  });

  it("stays open for cooldown_ms, then admits exactly one probe", () => {
    const { breakers, advance, openIt } = setup();
    openIt();
    advance(999);
    expect(breakers.acquire("k")).toBe(false);
    advance(1);
    expect(breakers.state("k")).toBe("half_open");
    expect(breakers.isAvailable("k")).toBe(true);
    expect(breakers.acquire("k")).toBe(true);
    expect(breakers.isAvailable("k")).toBe(false);
    expect(breakers.acquire("k")).toBe(false);
  });

  it("closes when the probe succeeds", () => {
    const { breakers, advance, openIt } = setup();
    openIt();
    advance(1000);
    expect(breakers.acquire("k")).toBe(true);
    breakers.onSuccess("k");
    expect(breakers.state("k")).toBe("closed");
    expect(breakers.acquire("k")).toBe(true);
    expect(breakers.acquire("k")).toBe(true);
  });

  it("reopens for a full cooldown when the probe fails", () => {
    const { breakers, advance, openIt } = setup();
    openIt();
    advance(1500);
    expect(breakers.acquire("k")).toBe(true);
    breakers.onFailure("k", cfg);
    expect(breakers.state("k")).toBe("open");
    expect(breakers.retryInMs("k")).toBe(1000);
    advance(999);
    expect(breakers.acquire("k")).toBe(false);
    advance(1);
    expect(breakers.acquire("k")).toBe(true);
  });

  it("frees the probe slot when the probe ends without a verdict", () => {
    const { breakers, advance, openIt } = setup();
    openIt();
    advance(1000);
    expect(breakers.acquire("k")).toBe(true);
    breakers.release("k");
    expect(breakers.state("k")).toBe("half_open");
    expect(breakers.acquire("k")).toBe(true);
  });

  it("does not extend the cooldown for late failures of calls admitted before it opened", () => {
    const { breakers, advance, openIt } = setup();
    openIt();
    advance(500);
    breakers.onFailure("k", cfg);
    expect(breakers.retryInMs("k")).toBe(500);
  });

  it("treats a threshold below 1 as 1", () => {
    const { breakers } = setup();
    breakers.onFailure("k", { failure_threshold: 0, cooldown_ms: 10 });
    expect(breakers.state("k")).toBe("open");
  });
});
