import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../../../scripts/cli/main";
import type { Comparison } from "../../../scripts/simulate/summary";

/**
 * `gateway simulate` on recorded fixtures (test/fixtures/simulate) with answers worked out by hand. Prices: small
 * 1 / 2 micro-credits per input / output token, large 10 / 30. The eight recorded events: r1 auto 100+50 tokens
 * (small, 200), r2 auto long prompt 2000+100 (large, 23000), r3 auto with tools 300+20 (large, 3600), r4 named
 * `small` 50+10 (70), r5 a tool call (1000), r6 refused when recorded (0), r7 a cache hit (5), r8 an older event
 * without routing inputs 10+10 (small, 30). Replayed: r1-r4 and r8; the other three keep their recorded cost.
 */
const DIR = "test/fixtures/simulate";
const EVENTS = `${DIR}/events.ndjson`;
const PASSTHROUGH = 1000 + 0 + 5;

async function simulate(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await run(["simulate", "--events", EVENTS, "--current", `${DIR}/current`, ...args], {
    env: {},
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
  });
  return { code, out, err };
}

async function comparison(candidate: string): Promise<Comparison> {
  const r = await simulate(["--policy", `${DIR}/${candidate}`, "--json"]);
  expect(r.code).toBe(0);
  return JSON.parse(r.out) as Comparison;
}

describe("gateway simulate", () => {
  describe.each([
    {
      candidate: "current",
      total: 26900 + PASSTHROUGH,
      chat: 200 + 23000 + 0 + 5 + 30,
      choices: { small: 3, large: 2 },
      premium: 2,
      refused: {},
    },
    {
      // The long-prompt rule is gone: r2 stays on small (2000 + 200).
      candidate: "cheaper",
      total: 200 + 2200 + 3600 + 70 + 30 + PASSTHROUGH,
      chat: 200 + 2200 + 0 + 5 + 30,
      choices: { small: 4, large: 1 },
      premium: 1,
      refused: {},
    },
    {
      // large at twice the price: r2 46000, r3 7200.
      candidate: "pricier",
      total: 200 + 46000 + 7200 + 70 + 30 + PASSTHROUGH,
      chat: 200 + 46000 + 0 + 5 + 30,
      choices: { small: 3, large: 2 },
      premium: 2,
      refused: {},
    },
    {
      // large removed: r2 on small (2200); r3 (tools) goes to xl, which has no price: refused.
      candidate: "removed",
      total: 200 + 2200 + 70 + 30 + PASSTHROUGH,
      chat: 200 + 2200 + 0 + 5 + 30,
      choices: { small: 4 },
      premium: 0,
      refused: { "model_unpriced (xl)": 1 },
    },
    {
      // One request per minute per key: k1's r2 and r3 (within r1's minute) refused; one call per task: r8 (task
      // t1, after r4) refused. Served: r1, r4.
      candidate: "limits",
      total: 200 + 70 + PASSTHROUGH,
      chat: 200 + 0 + 5,
      choices: { small: 2 },
      premium: 0,
      refused: { "rate_limited (key requests/min)": 2, "task_budget_exceeded (calls)": 1 },
    },
  ])("candidate $candidate", ({ candidate, total, chat, choices, premium, refused }) => {
    it("prices the replayed traffic with the gateway's planner and prices", async () => {
      const c = await comparison(candidate);
      expect(c.events).toBe(8);
      expect(c.replayed).toBe(5);
      expect(c.passthrough).toEqual({ "tool call": 1, "refused when recorded": 1, "cache hit": 1 });
      expect(c.recordedCost).toBe(27905);
      expect(c.current.totalCost).toBe(26900 + PASSTHROUGH);
      expect(c.candidate.totalCost).toBe(total);
      expect(c.candidate.costByFeature.chat).toBe(chat);
      expect(c.candidate.choices).toEqual(choices);
      expect(c.candidate.premium).toBe(premium);
      expect(c.candidate.refused).toEqual(refused);
    });
  });

  it("names the models the traffic still uses that the candidate removed", async () => {
    const c = await comparison("removed");
    expect(c.staleModels).toEqual({ large: "removed (2 recorded requests)" });
    expect((await comparison("cheaper")).staleModels).toEqual({});
  });

  it("--max-cost-increase fails (exit 1) when the candidate costs more, and passes otherwise", async () => {
    const pricier = await simulate(["--policy", `${DIR}/pricier`, "--max-cost-increase", "5%"]);
    expect(pricier.code).toBe(1);
    expect(pricier.out).toContain("FAIL: the candidate costs +95.3%");
    const cheaper = await simulate(["--policy", `${DIR}/cheaper`, "--max-cost-increase", "5%"]);
    expect(cheaper.code).toBe(0);
    expect(cheaper.out).toMatch(/total cost \(credits\)\s+0\.027905\s+0\.007105\s+-74\.5%/);
    expect(cheaper.out).toContain("OK: cost change -74.5%");
    // 95.3% is within a 100% allowance.
    expect((await simulate(["--policy", `${DIR}/pricier`, "--max-cost-increase", "100%"])).code).toBe(0);
  });

  it.each([
    { args: ["--policy", `${DIR}/cheaper`, "--max-cost-increase", "five"], message: /percentage/ },
    { args: [], message: /--events and --policy are required/ },
    { args: ["--policy", `${DIR}/does-not-exist`], message: /cannot read policy directory/ },
  ])("refuses bad usage with exit 2: $message", async ({ args, message }) => {
    const r = await simulate(args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it("reads the admin API's list of snake_case events as well as NDJSON", async () => {
    const camel = readFileSync(EVENTS, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const snake = camel.map((e) => {
      const inputs = e.routingInputs as Record<string, unknown> | undefined;
      return {
        object: "usage_event",
        request_id: e.requestId,
        at: new Date(e.at as number).toISOString(),
        tenant: e.tenantId,
        key_id: e.keyId,
        task_id: e.taskId ?? null,
        feature: e.feature ?? null,
        route: e.route ?? null,
        model: e.model ?? null,
        provider: e.provider ?? null,
        input_tokens: e.inputTokens,
        output_tokens: e.outputTokens,
        cost: e.cost,
        cache: e.cache,
        latency_ms: e.latencyMs,
        status: e.status,
        policy_version: e.policyVersion,
        flags: e.flags,
        tool: e.tool ?? null,
        routing_inputs:
          inputs === undefined
            ? null
            : {
                requested: inputs.requested,
                estimated_tokens: inputs.estimatedTokens,
                has_tools: inputs.hasTools,
                turns: inputs.turns,
                has_response_format: inputs.hasResponseFormat,
                task_type: null,
              },
      };
    });
    const file = join(mkdtempSync(join(tmpdir(), "simulate-")), "usage.json");
    writeFileSync(file, JSON.stringify({ object: "list", data: snake }));
    let out = "";
    const args = ["simulate", "--events", file, "--current", `${DIR}/current`, "--policy", `${DIR}/limits`, "--json"];
    const code = await run(args, {
      env: {},
      stdout: (t) => {
        out += t;
      },
      stderr: () => {},
    });
    expect(code).toBe(0);
    const fromAdmin = JSON.parse(out) as Comparison;
    expect(fromAdmin).toEqual(await comparison("limits"));
  });

  it("names the line of an event it cannot read", async () => {
    const dir = mkdtempSync(join(tmpdir(), "simulate-"));
    const file = join(dir, "events.ndjson");
    writeFileSync(file, `${JSON.stringify({ requestId: "a" })}\n`);
    let err = "";
    const code = await run(
      ["simulate", "--events", file, "--policy", `${DIR}/cheaper`, "--current", `${DIR}/current`],
      {
        env: {},
        stdout: () => {},
        stderr: (t) => {
          err += t;
        },
      },
    );
    expect(code).toBe(2);
    expect(err).toContain(`${file}:1: tenantId must be a string`);
  });
});
