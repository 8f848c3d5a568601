import type { KeyDirectory } from "./key-directory";
import type { TenantLedger } from "./tenant-ledger";

// The bindings wrangler.toml declares for this backend, typed for `env` from "cloudflare:workers".
declare global {
  namespace Cloudflare {
    interface Env {
      TENANT_LEDGER: DurableObjectNamespace<TenantLedger>;
      KEY_DIRECTORY: DurableObjectNamespace<KeyDirectory>;
    }
  }
}
