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
  /** Which gateway variants to run (BENCH_GATEWAYS, default both). */
  gateways: GatewayLedger[];
  /**
   * Other checkouts of this project (BENCH_COMPARE=`name=dir,name=dir`, each with node_modules) whose gateways run
   * as more targets, Durable Object ledger, in the same interleaved run: before/after comparisons of a change
   * without the noise between runs.
   */
  compare: { name: string; dir: string }[];
  /** BENCH_STREAMS_ONLY=1: only the streamed slices (the JSON columns stay empty). */
  streamsOnly: boolean;
}

/**
 * `do-router`: the Durable Object ledger, requests naming route `auto-learned` (the learned router on: one prompt
 * embedding from the upstream's /embeddings, then the shipped router artifact decides the tier).
 * `noop`: the gateway with its ledger store replaced by a no-op (bench/workers/gateway-noop-entry.ts).
 * `do-rpc`: not a gateway: the bare passthrough plus one and plus two no-op Durable Object calls per request
 * (bench/workers/passthrough-do.ts), the floor of any per-request Durable Object ledger.
 * `do-write`: the same passthrough + two Durable Object calls, whose object inserts a hold row on the first and deletes
 * it on the second (each in a transaction, answered after the commit): the floor of any ledger with durable holds.
 * `do-write-gc`: the same durable floor with both calls going through the ledger's group commit, the object applying
 * a batch in one transaction: the floor of a group-committed ledger with durable holds.
 * `do-overlap`: the Durable Object ledger with overlapped admission (the bench policy's tenant `acme-overlap`).
 * `do-otel`: the Durable Object ledger with OpenTelemetry on, exporting to a loopback sink (bench/otlp-sink.ts).
 * `do-quiet`: the Durable Object ledger with analytics off (and tracing off): the baseline of the observability rows.
 */
export type GatewayLedger =
  | "do"
  | "noop"
  | "do-rpc"
  | "do-write"
  | "do-write-gc"
  | "do-overlap"
  | "do-otel"
  | "do-quiet"
  | "do-router"
  | "upstash";
const LEDGERS: readonly GatewayLedger[] = [
  "do",
  "noop",
  "do-rpc",
  "do-write",
  "do-write-gc",
  "do-overlap",
  "do-otel",
  "do-quiet",
  "do-router",
  "upstash",
];

/** Direct, the two passthroughs, the four Durable Object floors and seven gateways (plus what BENCH_COMPARE adds). */
const BASE_TARGETS = 14;

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
  const compare = compareList(env.BENCH_COMPARE);
  const gateways = gatewayList(env.BENCH_GATEWAYS);
  return {
    secondsPerSlice,
    rounds,
    warmupSeconds,
    spreadRequests: quick ? 3 : 10,
    apiKey: staticKey(env.BENCH_API_KEY ?? "bench-static-0123456789abcdef0123456789abcdef"),
    storageDir: env.BENCH_STORAGE_DIR || undefined,
    gateways,
    compare,
    streamsOnly: env.BENCH_STREAMS_ONLY === "1",
    hardLimitSeconds:
      120 +
      2 *
        estimateSeconds(
          secondsPerSlice,
          rounds,
          warmupSeconds,
          // With `noop`, each compared checkout runs twice (DO ledger, no-op ledger).
          BASE_TARGETS + compare.length * (gateways.includes("noop") ? 2 : 1),
        ),
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

function compareList(raw: string | undefined): { name: string; dir: string }[] {
  if (raw === undefined || raw.trim() === "") return [];
  return raw.split(",").map((item) => {
    const [name, dir] = item.split("=").map((part) => part.trim());
    if (!name || !dir || !/^[\w.-]+$/.test(name)) {
      throw new Error(`BENCH_COMPARE: expected name=dir[,name=dir], got "${item}"`);
    }
    return { name, dir };
  });
}

function gatewayList(raw: string | undefined): GatewayLedger[] {
  if (raw === undefined || raw.trim() === "") return [...LEDGERS];
  const names = raw.split(",").map((name) => name.trim());
  const unknown = names.filter((name) => !LEDGERS.includes(name as GatewayLedger));
  if (unknown.length > 0) throw new Error(`BENCH_GATEWAYS: unknown ${unknown.join(", ")} (use ${LEDGERS.join(",")})`);
  return LEDGERS.filter((ledger) => names.includes(ledger));
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
