import type { UsageEvent } from "../../ledger/types";
import type { ChatContext } from "../chat";
import type { RouteMeta } from "../route-meta";
import type { Admission } from "./admission";
import type { Settlement } from "./meter";
import { usageEvent } from "./usage-event";

/**
 * How a routed call's hold settles: through the request's durable submitter, with the usage event built from the
 * admission and, once known, what served it (`meta` is read at settlement time).
 */
export function chatSettlement(
  ctx: ChatContext,
  admission: Admission,
  promptEstimate: number,
  meta: () => RouteMeta | undefined,
  cache: UsageEvent["cache"],
  promptFloor = 0,
): Settlement {
  const { services } = ctx;
  return {
    admission,
    promptEstimate,
    promptFloor,
    submit: ctx.submit,
    usage: (facts) => ({
      ...usageEvent(
        ctx.principal,
        admission,
        meta(),
        { ...facts, startedAt: ctx.startedAt, now: services.now() },
        services.policy.version,
      ),
      cache,
    }),
  };
}
