/** Run parameters, from flags and environment variables (see bench/README.md). */

export interface BenchOptions {
  secondsPerSlice: number;
  rounds: number;
  warmupSeconds: number;
  spreadRequests: number;
  /** The gateway API key the bench sends (its SHA-256 goes into GATEWAY_STATIC_KEYS). */
  apiKey: string;
  /** A gateway bundle directory built earlier (main module index.js): skips the wrangler build. */
  gatewayBundleDir: string | undefined;
  /** Give up (and kill every child) after this long, whatever happens. */
  hardLimitSeconds: number;
}

export function readOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions {
  const quick = argv.includes("--quick");
  const unknown = argv.filter((arg) => arg !== "--quick");
  if (unknown.length > 0) throw new Error(`unknown arguments: ${unknown.join(" ")} (only --quick is accepted)`);
  const secondsPerSlice = number("BENCH_SECONDS", env, quick ? 1 : 3, 0.5, 60);
  const rounds = number("BENCH_ROUNDS", env, quick ? 1 : 4, 1, 20);
  const warmupSeconds = number("BENCH_WARMUP_SECONDS", env, quick ? 0.5 : 1, 0, 30);
  return {
    secondsPerSlice,
    rounds,
    warmupSeconds,
    spreadRequests: quick ? 3 : 10,
    apiKey: env.BENCH_API_KEY ?? "gw_bench_0123456789abcdef0123456789abcdef",
    gatewayBundleDir: env.BENCH_GATEWAY_BUNDLE || undefined,
    hardLimitSeconds: 120 + 2 * estimateSeconds(secondsPerSlice, rounds, warmupSeconds),
  };
}

/** Slices: 3 JSON concurrencies + 1 stream slice, per target (3), per round; plus warmup and the spread check. */
export function estimateSeconds(secondsPerSlice: number, rounds: number, warmupSeconds: number): number {
  return rounds * 4 * 3 * secondsPerSlice + 3 * (warmupSeconds + Math.min(warmupSeconds, 1)) + 10;
}

function number(name: string, env: NodeJS.ProcessEnv, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new Error(`${name}: expected a number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}
