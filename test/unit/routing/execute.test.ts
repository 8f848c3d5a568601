import { describe, expect, it } from "vitest";
import type { RouteConfig } from "../../../src/policy/types";
import { exec, plan, served, trailOf } from "./exec-harness";
import { type Step, VirtualClock } from "./helpers";

const s = (status: number, retryAfterMs?: number): Step<string> => ({
  fail: retryAfterMs === undefined ? { kind: "status", status } : { kind: "status", status, retryAfterMs },
});
const ok = (value: string, after?: number): Step<string> =>
  after === undefined ? { ok: value } : { ok: value, after };
const nothingFallsBack: Partial<RouteConfig> = {
  fallback_on: { statuses: [], timeout: false, connection_error: false },
};

interface Row {
  name: string;
  targets?: string[];
  route?: Partial<RouteConfig>;
  script: Record<string, Step<string>[]>;
  served: string;
  trail: string[];
  message?: string;
  headers?: Record<string, string>;
}

const rows: Row[] = [
  {
    name: "success on the first try",
    script: { "a/1": [ok("A")] },
    served: "a/1=A",
    trail: ["a/1 ok"],
  },
  {
    name: "retry on the same target, then success",
    route: { retry: { max_retries: 2, base_backoff_ms: 100, max_backoff_ms: 1000 } },
    script: { "a/1": [s(503), s(502), ok("A")] },
    served: "a/1=A",
    trail: ["a/1 503", "a/1 502", "a/1 ok"],
  },
  {
    name: "fallback on 503",
    script: { "a/1": [s(503)], "b/1": [ok("B")] },
    served: "b/1=B",
    trail: ["a/1 503", "b/1 ok"],
  },
  {
    name: "retries exhausted, then fallback",
    route: { retry: { max_retries: 1, base_backoff_ms: 100, max_backoff_ms: 1000 } },
    script: { "a/1": [s(500)], "b/1": [ok("B")] },
    served: "b/1=B",
    trail: ["a/1 500", "a/1 500", "b/1 ok"],
  },
  {
    name: "no fallback and no retry on 400",
    route: { retry: { max_retries: 3, base_backoff_ms: 100, max_backoff_ms: 1000 } },
    script: { "a/1": [s(400)], "b/1": [ok("B")] },
    served: "error:upstream_error",
    trail: ["a/1 400"],
    message: "upstream rejected the request (400)",
  },
  {
    name: "a 5xx the route does not list stops the chain",
    route: { fallback_on: { statuses: [429], timeout: true, connection_error: true } },
    script: { "a/1": [s(503)], "b/1": [ok("B")] },
    served: "error:upstream_error",
    trail: ["a/1 503"],
    message: "upstream failed with status 503",
  },
  {
    name: "timeout falls back",
    script: { "a/1": [ok("late", 2000)], "b/1": [ok("B")] },
    served: "b/1=B",
    trail: ["a/1 timeout", "b/1 ok"],
  },
  {
    name: "an attempt that ignores its signal still times out",
    script: { "a/1": [{ hang: true }], "b/1": [ok("B")] },
    served: "b/1=B",
    trail: ["a/1 timeout", "b/1 ok"],
  },
  {
    name: "an answer just inside the attempt timeout counts",
    script: { "a/1": [ok("A", 999)] },
    served: "a/1=A",
    trail: ["a/1 ok"],
  },
  {
    name: "timeout without fallback_on.timeout stops with upstream_timeout",
    route: { fallback_on: { statuses: [503], timeout: false, connection_error: true } },
    script: { "a/1": [{ hang: true }], "b/1": [ok("B")] },
    served: "error:upstream_timeout",
    trail: ["a/1 timeout"],
  },
  {
    name: "every target times out",
    script: { "a/1": [{ hang: true }], "b/1": [{ hang: true }] },
    served: "error:upstream_timeout",
    trail: ["a/1 timeout", "b/1 timeout"],
  },
  {
    name: "connection error falls back",
    script: { "a/1": [{ fail: { kind: "connection", message: "refused" } }], "b/1": [ok("B")] },
    served: "b/1=B",
    trail: ["a/1 connection", "b/1 ok"],
  },
  {
    name: "a thrown error is a connection failure",
    script: { "a/1": [{ throws: "fetch failed" }], "b/1": [ok("B")] },
    served: "b/1=B",
    trail: ["a/1 connection", "b/1 ok"],
  },
  {
    name: "connection errors everywhere",
    script: { "a/1": [{ throws: "boom 10.0.0.7" }], "b/1": [{ fail: { kind: "connection", message: "x" } }] },
    served: "error:upstream_unavailable",
    trail: ["a/1 connection", "b/1 connection"],
    message: "could not connect to the upstream",
  },
  {
    name: "a bad response always falls back, even when nothing else does",
    route: nothingFallsBack,
    script: { "a/1": [{ fail: { kind: "bad_response", message: "<html>secret</html>" } }], "b/1": [ok("B")] },
    served: "b/1=B",
    trail: ["a/1 bad_response", "b/1 ok"],
  },
  {
    name: "bad responses everywhere, never echoed",
    route: { retry: { max_retries: 2, base_backoff_ms: 100, max_backoff_ms: 1000 } },
    script: {
      "a/1": [{ fail: { kind: "bad_response", message: "<html>secret</html>" } }],
      "b/1": [{ fail: { kind: "bad_response", message: "x" } }],
    },
    served: "error:upstream_bad_response",
    trail: ["a/1 bad_response", "b/1 bad_response"],
    message: "upstream sent a response the gateway could not read",
  },
  {
    name: "a target that cannot serve the request is passed over",
    script: { "a/1": [{ fail: { kind: "unsupported", message: "provider a is not configured" } }], "b/1": [ok("B")] },
    served: "b/1=B",
    trail: ["a/1 unsupported", "b/1 ok"],
  },
  {
    name: "no target can serve the request",
    script: {
      "a/1": [{ fail: { kind: "unsupported", message: "provider a is not configured" } }],
      "b/1": [{ fail: { kind: "unsupported", message: "provider b is not configured" } }],
    },
    served: "error:upstream_unavailable",
    trail: ["a/1 unsupported", "b/1 unsupported"],
    message: "no configured upstream can serve this request",
  },
  {
    name: "all 429 -> upstream_rate_limited with the shortest Retry-After",
    script: { "a/1": [s(429, 5000)], "b/1": [s(429, 2500)] },
    served: "error:upstream_rate_limited",
    trail: ["a/1 429", "b/1 429"],
    headers: { "retry-after": "3" },
  },
  {
    name: "all 429 without hints -> no Retry-After",
    script: { "a/1": [s(429)], "b/1": [s(429)] },
    served: "error:upstream_rate_limited",
    trail: ["a/1 429", "b/1 429"],
    headers: {},
  },
  {
    name: "a mixed chain reports its last failure",
    script: { "a/1": [s(429)], "b/1": [s(502)] },
    served: "error:upstream_error",
    trail: ["a/1 429", "b/1 502"],
  },
];

describe("executePlan", () => {
  describe.each(rows)("$name", (row) => {
    it(`serves ${row.served}`, async () => {
      const { result } = await exec(plan(row.targets ?? ["a/1", "b/1"], row.route), row.script);
      expect(served(result)).toBe(row.served);
      expect(trailOf(result)).toEqual(row.trail);
      expect(result.attempts).toBe(row.trail.filter((t) => !t.endsWith("circuit_open")).length);
      if (!result.ok && row.message !== undefined) expect(result.error.message).toBe(row.message);
      if (!result.ok && row.headers !== undefined) expect(result.error.headers).toEqual(row.headers);
    });
  });

  it("aborts a timed-out attempt's signal and lets the caller release a late success", async () => {
    const discarded: string[] = [];
    let onDiscard = (): void => undefined;
    const late = new Promise<void>((resolve) => {
      onDiscard = resolve;
    });
    const clock = new VirtualClock();
    const { result, calls } = await exec(
      plan(["a/1", "b/1"]),
      { "a/1": [ok("late", 1500)], "b/1": [ok("B")] },
      {
        clock,
        discard: (v) => {
          discarded.push(v);
          onDiscard();
        },
      },
    );
    expect(served(result)).toBe("b/1=B");
    expect(calls[0]?.signal.aborted).toBe(true);
    expect(calls[1]?.signal.aborted).toBe(false);
    await clock.run(late);
    expect(discarded).toEqual(["late"]);
  });

  it("cancels each attempt's timer once the attempt settles", async () => {
    const { result, clock } = await exec(plan(["a/1", "b/1"]), { "a/1": [s(503)], "b/1": [ok("B", 10)] });
    expect(result.ok).toBe(true);
    expect(clock.pending).toBe(0);
  });

  it("records how long each attempt took", async () => {
    const { result } = await exec(plan(["a/1", "b/1"]), { "a/1": [s(503)], "b/1": [ok("B", 250)] });
    expect(result.trail.map((r) => r.ms)).toEqual([0, 250]);
  });

  it("reports the client leaving mid-attempt and tries nothing more", async () => {
    const client = new AbortController();
    const { result, calls } = await exec(
      plan(["a/1", "b/1"], { timeouts: { attempt_ms: 10_000, deadline_ms: 20_000 } }),
      { "a/1": [{ hang: true }], "b/1": [ok("B")] },
      {
        signal: client.signal,
        onIdle: () => client.abort(),
      },
    );
    expect(result.ok).toBe(false);
    expect(result.ok ? undefined : result.aborted).toBe(true);
    expect(calls.map((c) => c.targetKey)).toEqual(["a/1"]);
    expect(calls[0]?.signal.aborted).toBe(true);
    expect(trailOf(result)).toEqual(["a/1 aborted"]);
  });

  it("makes no call when the client has already left", async () => {
    const client = new AbortController();
    client.abort();
    const { result, calls } = await exec(plan(["a/1"]), { "a/1": [ok("A")] }, { signal: client.signal });
    expect(result.ok ? undefined : result.aborted).toBe(true);
    expect(calls).toHaveLength(0);
  });

  it("keeps the attempt signal tied to the client after success (a stream in progress is cancelled with it)", async () => {
    const client = new AbortController();
    const { result, calls } = await exec(plan(["a/1"]), { "a/1": [ok("A")] }, { signal: client.signal });
    expect(result.ok).toBe(true);
    expect(calls[0]?.signal.aborted).toBe(false);
    client.abort();
    expect(calls[0]?.signal.aborted).toBe(true);
  });
});
