import type { SettlementOutbox } from "./settlement-outbox";

// The binding wrangler.toml declares for the outbox, typed for `env` from "cloudflare:workers".
declare global {
  namespace Cloudflare {
    interface Env {
      SETTLEMENT_OUTBOX: DurableObjectNamespace<SettlementOutbox>;
    }
  }
}
