import { createApp } from "./app";
import { batchBindings } from "./batch/bindings";
import { consumeBatchItems } from "./batch/consumer";
import type { ItemMessage } from "./batch/types";
import type { WorkerEnv } from "./env";
import type { CompiledPolicy } from "./policy/types";
import { servicesFor } from "./services";

/** Builds the Worker for one compiled policy; its Services are built once per isolate (src/services.ts). */
export function createWorker(policy: CompiledPolicy) {
  const services = servicesFor(policy);
  const app = createApp(services);
  return {
    fetch: app.fetch,
    /** Cron trigger: bills holds whose request never settled (the isolate died mid-request). */
    async scheduled(_controller, env, ctx) {
      ctx.waitUntil(
        services(env)
          .sweep()
          .then((n) => {
            if (n > 0) console.warn(`sweeper billed ${n} expired hold(s)`);
          }),
      );
    },
    /** Batch API items (and, from the dead-letter queue, items whose retries are spent). */
    async queue(batch, env, ctx) {
      const bindings = batchBindings(env);
      if (bindings === undefined) throw new Error("batch queue delivered without the Batch API bindings");
      await consumeBatchItems(batch, {
        services: services(env),
        bindings,
        waitUntil: (p) => ctx.waitUntil(p),
      });
    },
  } satisfies ExportedHandler<WorkerEnv, ItemMessage>;
}
