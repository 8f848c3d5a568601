export { createUpstashCache, evictionTarget, type UpstashCacheOptions } from "./store";
