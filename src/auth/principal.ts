import type { TenantConfig } from "../policy/types";

/** Who is calling, as proven by a credential. The tenant comes from here only, never from the request. */
export interface Principal {
  tenant: TenantConfig;
  keyId: string;
  source: "static-key";
}
