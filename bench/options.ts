/** Run parameters, from flags and environment variables (see bench/README.md). */

export interface BenchOptions {
  secondsPerSlice: number;
  rounds: number;
  warmupSeconds: number;
  spreadRequests: number;
  /** The key the bench sends: a bootstrap static key (its SHA-256 goes into GATEWAY_STATIC_KEYS), so not `gw_…`. */
  apiKey: string;
  /**
   * Where the ledgers keep their data (Durable Object SQLite files, Redis's append-only file). Default: a fresh
   * directory in RAM (/dev/shm), see bench/storage.ts.
   */
  storageDir: string | undefined;
  /** Give up (and kill every child) after this long, whatever happens. */
  hardLimitSeconds: number;
}

/** Direct, passthrough and two gateways. */
const MAX_TARGETS = 4;

/**
 * Pause after each JSON slice before its CPU is read: a gateway settles credits after the response (waitUntil), and
 * that work belongs to the slice whose requests caused it.
 */
export const SETTLE_MS = 150;

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
    apiKey: staticKey(env.BENCH_API_KEY ?? "bench-static-0123456789abcdef0123456789abcdef"),
    storageDir: env.BENCH_STORAGE_DIR || undefined,
    hardLimitSeconds: 120 + 2 * estimateSeconds(secondsPerSlice, rounds, warmupSeconds, MAX_TARGETS),
  };
}

/**
 * Slices: 3 JSON concurrencies + 1 stream slice, per target, per round (each JSON slice then waits SETTLE_MS); plus
 * warmup, the spread check and builds/starts.
 */
export function estimateSeconds(
  secondsPerSlice: number,
  rounds: number,
  warmupSeconds: number,
  targets: number,
): number {
  const slices = rounds * 4 * targets * secondsPerSlice + (rounds * 3 * targets * SETTLE_MS) / 1000;
  return slices + targets * (warmupSeconds + Math.min(warmupSeconds, 1)) + 10;
}

function staticKey(key: string): string {
  if (key.startsWith("gw_") || key.split(".").length === 3) {
    throw new Error(
      "BENCH_API_KEY: must be a static key, not a gw_… API key or a JWT (the gateway would not look it up)",
    );
  }
  return key;
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
