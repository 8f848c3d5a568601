export { createDurableObjectCache, type DurableObjectCacheOptions } from "./store";
export { TenantCache } from "./tenant-cache";
