import type { TenantAnalytics } from "./tenant-analytics";

// The binding wrangler.toml declares for the embedded analytics backend, typed for `env` from "cloudflare:workers".
declare global {
  namespace Cloudflare {
    interface Env {
      TENANT_ANALYTICS: DurableObjectNamespace<TenantAnalytics>;
    }
  }
}
