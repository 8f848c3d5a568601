import { DEFAULT_CACHE } from "../../../src/policy/defaults";
import type { CompiledPolicy, ModelConfig, RouteConfig, TenantConfig } from "../../../src/policy/types";
import type { AttemptOutcome, Failure } from "../../../src/routing/execute";
import type { PlannedAttempt, RoutePlan } from "../../../src/routing/plan";

export { seededRandom as seeded } from "../../../scripts/eval/random";

/** Returns the given values in turn, then repeats the last one. */
export function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)] ?? 0;
}

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
}

/**
 * Virtual time: `sleep` registers a timer, and `run` advances the clock to the earliest timer whenever the code under
 * test has nothing else to do. No real time passes, so tests are exact and never flaky.
 */
export class VirtualClock {
  t = 0;
  #seq = 0;
  #timers: Timer[] = [];

  now = (): number => this.t;

  sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const timer: Timer = { at: this.t + Math.max(0, ms), seq: this.#seq++, resolve };
      this.#timers.push(timer);
      signal?.addEventListener(
        "abort",
        () => {
          this.#timers = this.#timers.filter((x) => x !== timer);
          reject(signal.reason);
        },
        { once: true },
      );
    });

  /** Pending timers (e.g. to check that nothing is left behind). */
  get pending(): number {
    return this.#timers.length;
  }

  async run<T>(promise: Promise<T>, onIdle?: () => void): Promise<T> {
    let settled = false;
    promise.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    for (;;) {
      // A real macrotask: every microtask chain of the code under test finishes first.
      await new Promise((r) => setTimeout(r, 0));
      if (settled) return promise;
      onIdle?.();
      const next = [...this.#timers].sort((x, y) => x.at - y.at || x.seq - y.seq)[0];
      if (next === undefined) throw new Error("deadlock: promise pending and no timer scheduled");
      this.#timers = this.#timers.filter((x) => x !== next);
      this.t = Math.max(this.t, next.at);
      next.resolve();
    }
  }
}

export type Step<T> =
  | { ok: T; after?: number }
  | { fail: Failure; after?: number }
  /** Never settles and ignores its signal. */
  | { hang: true }
  | { throws: string };

export interface Call {
  targetKey: string;
  at: number;
  signal: AbortSignal;
}

/** A scripted upstream: per target key, the answers of successive calls (the last one repeats). */
export function scripted<T>(clock: VirtualClock, script: Record<string, Step<T>[]>) {
  const calls: Call[] = [];
  const counts = new Map<string, number>();
  const attempt = async (a: PlannedAttempt, signal: AbortSignal): Promise<AttemptOutcome<T>> => {
    calls.push({ targetKey: a.targetKey, at: clock.now(), signal });
    const steps = script[a.targetKey] ?? [];
    const n = counts.get(a.targetKey) ?? 0;
    counts.set(a.targetKey, n + 1);
    const step = steps[Math.min(n, steps.length - 1)];
    if (step === undefined) throw new Error(`no script for ${a.targetKey}`);
    if ("hang" in step) return new Promise<never>(() => undefined);
    if ("throws" in step) throw new TypeError(step.throws);
    // The step's duration ignores the signal on purpose: the executor must not rely on it.
    if (step.after !== undefined) await clock.sleep(step.after);
    return "ok" in step ? { ok: true, value: step.ok } : { ok: false, failure: step.fail };
  };
  return { attempt, calls };
}

export function model(alias: string, targets: string[], extra: Partial<ModelConfig> = {}): ModelConfig {
  return {
    alias,
    targets: targets.map((t) => {
      const [provider = "", upstream = "", priority = "0", weight = "1"] = t.split(/[/:@]/);
      return { provider, model: upstream, priority: Number(priority), weight: Number(weight) };
    }),
    context_window: 128_000,
    max_output_tokens: 4096,
    pricing: { input_per_mtok: 1, output_per_mtok: 2 },
    kind: "chat",
    ...extra,
  };
}

export function route(name: string, extra: Partial<RouteConfig> = {}): RouteConfig {
  return {
    name,
    models: [],
    default_model: "",
    rules: [],
    model_fallbacks: {},
    fallback_on: { statuses: [429, 500, 502, 503, 504], timeout: true, connection_error: true },
    retry: { max_retries: 0, base_backoff_ms: 100, max_backoff_ms: 1000 },
    timeouts: { attempt_ms: 1000, deadline_ms: 10_000 },
    circuit_breaker: { failure_threshold: 3, cooldown_ms: 10_000 },
    cache: { ...DEFAULT_CACHE },
    ...extra,
  };
}

/** A plan over `targetKeys` (provider/model), served by one alias, for executor tests. */
export function planOf(targetKeys: string[], routeExtra: Partial<RouteConfig> = {}): RoutePlan {
  const m = model("m", targetKeys);
  return {
    route: route("r", { models: ["m"], default_model: "m", ...routeExtra }),
    alias: "m",
    model: m,
    attempts: m.targets.map((t) => ({
      alias: "m",
      model: m,
      providerId: t.provider,
      upstreamModel: t.model,
      targetKey: `${t.provider}/${t.model}`,
    })),
  };
}

export function policyOf(models: ModelConfig[], routes: RouteConfig[], tenants: TenantConfig[] = []): CompiledPolicy {
  return {
    version: "test",
    sources: [],
    providers: {},
    models: Object.fromEntries(models.map((m) => [m.alias, m])),
    routes: Object.fromEntries(routes.map((r) => [r.name, r])),
    plans: {},
    tenants: Object.fromEntries(tenants.map((t) => [t.id, t])),
    tools: {},
  };
}
