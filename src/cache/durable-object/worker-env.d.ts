import type { TenantCache } from "./tenant-cache";

// The binding wrangler.toml declares for the embedded cache backend, typed for `env` from "cloudflare:workers".
declare global {
  namespace Cloudflare {
    interface Env {
      TENANT_CACHE: DurableObjectNamespace<TenantCache>;
    }
  }
}
