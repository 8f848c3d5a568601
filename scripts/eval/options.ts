import { resolve } from "node:path";
import { DATA_DIR } from "./data";

/** `npm run eval:cache -- [flags]`; see scripts/eval-cache.ts for what each flag changes. */
export interface EvalOptions {
  /** Evaluate a seeded sample of this many QQP pairs (all arena pairs are always kept). */
  limit: number | undefined;
  seed: number;
  /** Repeat the calibration/test split with this many seeds (seed, seed+1, ...) and report each and the mean. */
  seeds: number;
  targetFhr: number;
  /** Wilson z for the calibration error bound; 0 = plain point estimate. */
  z: number;
  dataDir: string;
  cacheDir: string;
  /** Also re-run the configuration search on each calibration half and report it (slower). */
  search: boolean;
}

const USAGE =
  "usage: tsx scripts/eval-cache.ts [--limit N] [--seed N] [--seeds K] [--target-fhr 0.02] [--z 1.645] " +
  "[--data DIR] [--cache-dir DIR] [--search]";

export const DEFAULT_CACHE_DIR = resolve(import.meta.dirname, "../../bench/.out/eval-cache");

function pathFlag(name: string, raw: string | undefined): string {
  if (raw === undefined || raw === "") throw new BadFlag(`${name} needs a directory`);
  return raw;
}

export type ParsedOptions = { ok: true; options: EvalOptions } | { ok: false; message: string; help: boolean };

class BadFlag extends Error {}

function numberFlag(name: string, raw: string | undefined, min: number, max: number, integer: boolean): number {
  const value = Number(raw);
  const bad = raw === undefined || raw === "" || !Number.isFinite(value) || (integer && !Number.isInteger(value));
  if (bad || value < min || value > max) {
    throw new BadFlag(`${name} needs ${integer ? "an integer" : "a number"} in [${min}, ${max}]`);
  }
  return value;
}

export function parseEvalOptions(argv: readonly string[]): ParsedOptions {
  try {
    return { ok: true, options: parseOrThrow(argv) };
  } catch (err) {
    if (!(err instanceof BadFlag)) throw err;
    const help = err.message === "help";
    return { ok: false, help, message: help ? USAGE : `${err.message}\n${USAGE}` };
  }
}

function parseOrThrow(argv: readonly string[]): EvalOptions {
  const o: EvalOptions = {
    limit: undefined,
    seed: 1,
    seeds: 1,
    targetFhr: 0.02,
    z: 1.645,
    dataDir: DATA_DIR,
    cacheDir: DEFAULT_CACHE_DIR,
    search: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const next = () => argv[++i];
    switch (flag) {
      case "--limit":
        o.limit = numberFlag(flag, next(), 10, 1_000_000, true);
        break;
      case "--seed":
        o.seed = numberFlag(flag, next(), 0, 2 ** 31, true);
        break;
      case "--seeds":
        o.seeds = numberFlag(flag, next(), 1, 50, true);
        break;
      case "--target-fhr":
        o.targetFhr = numberFlag(flag, next(), 0, 1, false);
        break;
      case "--z":
        o.z = numberFlag(flag, next(), 0, 5, false);
        break;
      case "--data":
        o.dataDir = resolve(pathFlag(flag, next()));
        break;
      case "--cache-dir":
        o.cacheDir = resolve(pathFlag(flag, next()));
        break;
      case "--search":
        o.search = true;
        break;
      case "--help":
      case "-h":
        throw new BadFlag("help");
      default:
        throw new BadFlag(`unknown argument ${flag}`);
    }
  }
  return o;
}
