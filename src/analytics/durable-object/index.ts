import type { AnalyticsStore } from "../types";
import type { TenantAnalytics } from "./tenant-analytics";

export { TenantAnalytics } from "./tenant-analytics";

/** The embedded default: one TenantAnalytics object per tenant. */
export function createDurableObjectAnalytics(
  namespace: DurableObjectNamespace<TenantAnalytics>,
  now: () => number = Date.now,
): AnalyticsStore {
  // A fresh stub per call: a stub that saw a disconnect stays broken.
  const stub = (tenantId: string) => namespace.get(namespace.idFromName(`analytics:${tenantId}`));
  return {
    name: "durable-object",
    apply: async (tenantId, batch) => {
      await stub(tenantId).apply(batch, now());
    },
    cells: async (tenantId, q) => await stub(tenantId).cells(q),
    tasks: async (tenantId, q) => await stub(tenantId).tasks(q),
    markTask: async (tenantId, taskId, outcome, at) => {
      await stub(tenantId).markTask(taskId, outcome, at);
    },
  };
}
