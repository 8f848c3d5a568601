import type { Target } from "./http-client";
import type { Results } from "./measure";
import { percentile } from "./report";
import type { DecisionCpu } from "./router-decision-cpu";

/**
 * What the learned router adds to a request on route `auto` (the bench's `auto-learned`): the row with the router
 * on against the same gateway, ledger and bundle routing without it (`gateway-do`), and both against the bare
 * passthrough of the same run; plus the decision's own CPU, timed in the bench process. The difference between the
 * two rows is the prompt's embedding call (a loopback round trip to the upstream's /embeddings) and the decision.
 */
const ROUTER = "gateway-do-router";
const BASELINE = "gateway-do";

export function renderRouterRow(targets: Target[], results: Results, decision: DecisionCpu | undefined): string[] {
  const find = (id: string) => (targets.some((t) => t.id === id) ? results.get(id) : undefined);
  const passthroughId = targets.find((t) => t.role === "passthrough")?.id;
  const directId = targets.find((t) => t.role === "direct")?.id;
  const on = find(ROUTER);
  const off = find(BASELINE);
  const bare = passthroughId === undefined ? undefined : find(passthroughId);
  const direct = directId === undefined ? undefined : find(directId);
  if (!on || !off || !bare || !direct) return [];
  const p50 = (r: typeof on) => percentile(r.json[1].latencies, 50);
  const cpu = (r: typeof on) => (r.json[64].completed > 0 ? r.json[64].cpuMicros / r.json[64].completed : Number.NaN);
  const added = (r: typeof on) => p50(r) - p50(direct);
  const x = (v: number) => (Number.isFinite(v) ? `×${v.toFixed(2)}` : "n/a");
  const lines = [
    "",
    "### Learned router cost (route `auto-learned` against the same gateway without the router, this run)",
    "",
    "| row | +p50 c=1 (ms) over direct | added p50 ratio to the bare passthrough | CPU µs/req c=64 | CPU/req ratio to the bare passthrough |",
    "|---|---|---|---|---|",
  ];
  for (const [label, r] of [
    ["bare Hono passthrough", bare],
    ["gateway, DO ledger (route `auto`, no router)", off],
    ["gateway, DO ledger, learned router on", on],
  ] as const) {
    lines.push(
      `| ${label} | +${added(r).toFixed(2)} | ${x(added(r) / added(bare))} | ${Math.round(cpu(r))} | ${x(cpu(r) / cpu(bare))} |`,
    );
  }
  lines.push(
    "",
    `The router adds ${(p50(on) - p50(off)).toFixed(2)} ms at p50 (c=1) and ${Math.round(cpu(on) - cpu(off))} µs of ` +
      "Worker CPU per request (c=64): the prompt's embedding call to the upstream plus the decision.",
  );
  if (decision !== undefined) {
    lines.push(
      `The decision alone (\`decideTier\`, ${decision.components} components, timed in the bench process): ` +
        `${decision.decision.toFixed(1)} µs of CPU, against ${decision.baseline.toFixed(1)} µs for the lexical ` +
        "features alone (budget 200 µs).",
    );
  }
  return lines;
}
