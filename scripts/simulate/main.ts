import { readFileSync } from "node:fs";
import type { UsageEvent } from "../../src/ledger/types";
import type { CompiledPolicy } from "../../src/policy/types";
import { parseArgs, UsageError } from "../cli/args";
import type { CliIo } from "../cli/main";
import { formatComparison } from "./format";
import { loadPolicy, parseEvents, SimulateInputError } from "./load";
import { replay } from "./replay";
import { compare, exceeds } from "./summary";

export const SIMULATE_USAGE = "simulate --events FILE --policy DIR [--current DIR] [--max-cost-increase 5%] [--json]";

export const SIMULATE_SUMMARY =
  "Replays recorded usage events (NDJSON export) against a candidate policy with the gateway's own planner and " +
  "pricing, next to the current policy (--current, default policies/): cost in total and per feature, premium share, " +
  "model choices, refusals, models removed or unpriced. Offline: no gateway needed. --max-cost-increase exits 1 " +
  "when the candidate costs more than that over the current policy.";

/** `5%`, `5` (percent) or `0.5%`: a non-negative fraction. */
export function parsePercent(text: string): number {
  const m = /^(\d+(?:\.\d+)?)%?$/.exec(text.trim());
  if (m === null)
    throw new UsageError(`--max-cost-increase must be a percentage like 5% (got ${JSON.stringify(text)})`);
  return Number(m[1]) / 100;
}

/** Exit status: 0 ok, 1 the candidate breaks --max-cost-increase, 2 bad usage or unreadable input. */
export async function runSimulate(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const parsed = parseArgs(argv, {
      values: new Set(["events", "policy", "current", "max-cost-increase"]),
      booleans: new Set(["json", "help"]),
    });
    if (parsed.flags.has("help")) {
      io.stdout(`Usage: npm run gateway -- ${SIMULATE_USAGE}\n\n${SIMULATE_SUMMARY}`);
      return 0;
    }
    if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument: ${parsed.positionals[0]}`);
    const value = (name: string) => {
      const v = parsed.flags.get(name);
      return typeof v === "string" ? v : undefined;
    };
    const eventsFile = value("events");
    const candidateDir = value("policy");
    if (eventsFile === undefined || candidateDir === undefined) {
      throw new UsageError(`--events and --policy are required: ${SIMULATE_USAGE}`);
    }
    const limitText = value("max-cost-increase");
    const maxIncrease = limitText === undefined ? undefined : parsePercent(limitText);
    let text: string;
    try {
      text = readFileSync(eventsFile, "utf8");
    } catch (err) {
      throw new SimulateInputError(`cannot read ${eventsFile}: ${(err as Error).message}`);
    }
    const events = parseEvents(text, eventsFile);
    const current = loadPolicy(value("current") ?? "policies");
    const candidate = loadPolicy(candidateDir);
    const comparison = simulate(events, current, candidate);
    io.stdout(
      parsed.flags.has("json") ? JSON.stringify(comparison, null, 2) : formatComparison(comparison, maxIncrease),
    );
    return maxIncrease !== undefined && exceeds(comparison, maxIncrease) ? 1 : 0;
  } catch (err) {
    if (err instanceof UsageError || err instanceof SimulateInputError) {
      io.stderr(`error: ${err.message}`);
      return 2;
    }
    throw err;
  }
}

/** Both replays and their comparison. The request kind comes from the current policy (what was served). */
export function simulate(events: readonly UsageEvent[], current: CompiledPolicy, candidate: CompiledPolicy) {
  const kindOf = (e: UsageEvent) => (e.model === undefined ? "chat" : (current.models[e.model]?.kind ?? "chat"));
  return compare(
    events,
    { policy: current, results: replay(events, current, kindOf) },
    { policy: candidate, results: replay(events, candidate, kindOf) },
  );
}
