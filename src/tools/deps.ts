import type { Services } from "../context";
import { settleDurably } from "../ledger/settle-durably";
import type { ToolDeps } from "./types";

/**
 * ToolDeps from the request's services: settlement and audit events go through the same durable path as model
 * calls (ledger, else the outbox, under waitUntil).
 */
export function toolDeps(services: Services, waitUntil: (p: Promise<unknown>) => void): ToolDeps {
  return {
    policy: services.policy,
    ledger: services.ledger,
    fetch: services.fetch,
    vars: (name) => services.env.secret(name),
    now: services.now,
    settle: (op) => {
      const done = settleDurably({ ledger: services.ledger, outbox: services.outbox, waitUntil }, op).then(
        () => undefined,
        (err: unknown) => console.error(`tool call ${op.kind} could not be written or queued`, err),
      );
      waitUntil(done);
      return done;
    },
  };
}
