export { type Claim, type ClaimOptions, TenantBatches } from "./tenant-batches";
