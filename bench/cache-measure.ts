/**
 * The cache bench's load loop: one request at a time per scenario (c = 1) over a kept-alive loopback connection, the
 * latency of every request and the CPU of the process that serves it (the gateway's workerd, or the upstream for the
 * direct scenario) over each slice. Scenarios take turns within every round, in a rotating order, so a machine that
 * slows down mid-run slows all of them alike.
 */
import { Agent, request } from "node:http";
import { cpuMicros } from "./processes";

export interface Scenario {
  id: string;
  label: string;
  url: string;
  headers: Record<string, string>;
  /** The process whose CPU counts for this scenario. */
  cpuPid: number;
  /** The body of the next request (scenarios that must never repeat a prompt make a new one each time). */
  body: () => string;
  /** Why a response is wrong (not the status or cache outcome this scenario is about), or undefined. */
  check: (r: Timed) => string | undefined;
}

export interface Timed {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  ms: number;
  body: string;
}

export interface ScenarioResult {
  latencies: number[];
  cpuMicros: number;
  requests: number;
  wrong: number;
  firstWrong?: string;
}

const agents = new Map<string, Agent>();

export function timed(s: Scenario, body: string): Promise<Timed> {
  let agent = agents.get(s.id);
  if (agent === undefined) {
    agent = new Agent({ keepAlive: true, maxSockets: 1 });
    agents.set(s.id, agent);
  }
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const parts: Buffer[] = [];
    const req = request(
      s.url,
      {
        method: "POST",
        agent,
        headers: { ...s.headers, "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        timeout: 10_000,
      },
      (res) => {
        res.on("data", (part: Buffer) => parts.push(part));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            ms: performance.now() - start,
            body: Buffer.concat(parts).toString("utf8"),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer from ${s.url} in 10 s`)));
    req.on("error", reject);
    req.end(body);
  });
}

async function slice(s: Scenario, requests: number, into: ScenarioResult): Promise<void> {
  const before = cpuMicros(s.cpuPid);
  for (let i = 0; i < requests; i++) {
    const r = await timed(s, s.body());
    into.latencies.push(r.ms);
    const wrong = r.status === 200 ? s.check(r) : `${r.status} ${r.body.slice(0, 200)}`;
    if (wrong !== undefined) {
      into.wrong += 1;
      into.firstWrong ??= wrong;
    }
  }
  into.cpuMicros += cpuMicros(s.cpuPid) - before;
  into.requests += requests;
}

export async function measureScenarios(
  scenarios: Scenario[],
  opts: { rounds: number; requests: number; warmup: number },
  log: (line: string) => void,
): Promise<Map<string, ScenarioResult>> {
  const results = new Map<string, ScenarioResult>();
  for (const s of scenarios) results.set(s.id, { latencies: [], cpuMicros: 0, requests: 0, wrong: 0 });
  for (let round = 0; round < opts.rounds; round++) {
    const order = scenarios.map((_, i) => scenarios[(i + round) % scenarios.length]);
    for (const s of order) {
      if (s === undefined) continue;
      for (let i = 0; i < opts.warmup; i++) await timed(s, s.body());
      const into = results.get(s.id);
      if (into !== undefined) await slice(s, opts.requests, into);
    }
    log(`round ${round + 1}/${opts.rounds} done`);
  }
  return results;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}
