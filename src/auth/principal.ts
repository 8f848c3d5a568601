import type { TenantConfig } from "../policy/types";

/**
 * Who is calling, as proven by a credential. The tenant comes from here only, never from the request.
 * `accountId` is the credit account billed and the subject of per-key rate limits: the API key id, or for a JWT
 * caller `jwt:<subject>` (the end user the tenant's identity provider vouches for).
 */
export interface Principal {
  tenant: TenantConfig;
  accountId: string;
  source: "api-key" | "jwt" | "static-key";
  /** Display id: the key id, or the JWT subject. */
  keyId: string;
  /** Routes this credential may use (a subset of the tenant's); absent = all of the tenant's. */
  routes?: string[];
  /** Feature tags attached to usage events. */
  tags?: string[];
}
