import type { PolicyError } from "./errors";
import { type Entry, errorAt, type Merged } from "./merge";
import type { CompiledSections } from "./normalize";

function where(entry: Entry<unknown>, path: (string | number)[]): string {
  const line = entry.source.lineOf(path);
  return line === undefined ? entry.source.file : `${entry.source.file}:${line}`;
}

/**
 * Checks across tenants, plans and routes for the auth and credit settings:
 * - a JWT issuer selects the tenant, so two tenants claiming one issuer would make the tenant ambiguous;
 * - a credit hold must outlive every request that can hold it, or the sweeper would bill a request still running.
 */
export function crossCheckTenants(merged: Merged, compiled: CompiledSections): PolicyError[] {
  const errors: PolicyError[] = [];
  const issuers = new Map<string, Entry<unknown>>();

  for (const entry of merged.tenants.values()) {
    const issuer = entry.value.jwt?.issuer;
    if (issuer !== undefined) {
      const earlier = issuers.get(issuer);
      if (earlier === undefined) issuers.set(issuer, entry);
      else {
        errors.push(
          errorAt(
            entry,
            ["tenants", entry.id, "jwt", "issuer"],
            `"${issuer}" is already the issuer of tenant "${earlier.id}" (${where(earlier, ["tenants", earlier.id, "jwt", "issuer"])}); the issuer selects the tenant, so it must be unique`,
          ),
        );
      }
    }

    const tenant = compiled.tenants[entry.id];
    if (tenant === undefined) continue;
    const slowest = tenant.routes
      .map((name) => ({ name, deadline: compiled.routes[name]?.timeouts.deadline_ms ?? 0 }))
      .reduce((a, b) => (b.deadline > a.deadline ? b : a), { name: "", deadline: 0 });
    errors.push(...shardChecks(entry, tenant));
    const holdMs = tenant.credits.hold_ttl_s * 1000;
    if (slowest.name !== "" && holdMs <= slowest.deadline) {
      const plan = merged.plans.get(entry.value.plan);
      const fromTenant = entry.value.credits?.hold_ttl_s !== undefined;
      const fromPlan = !fromTenant && plan?.value.credits?.hold_ttl_s !== undefined;
      const origin = fromTenant ? "" : fromPlan ? ` (from plan "${entry.value.plan}")` : " (the default)";
      errors.push(
        errorAt(
          entry,
          fromTenant ? ["tenants", entry.id, "credits", "hold_ttl_s"] : ["tenants", entry.id],
          `credits.hold_ttl_s is ${tenant.credits.hold_ttl_s}s${origin}, not above the ${slowest.deadline} ms deadline of route "${slowest.name}": a hold could expire while its request still runs; raise hold_ttl_s`,
        ),
      );
    }
  }
  return errors;
}

/**
 * A sharded tenant's tenant-wide rate limits are split into one share per ledger object (src/ledger/durable-object/
 * shards.ts); a limit below the shard count would leave some objects a share of zero, refusing every key placed there.
 */
function shardChecks(entry: Entry<unknown>, tenant: CompiledSections["tenants"][string]): PolicyError[] {
  const n = tenant.credits.ledger_shards;
  if (n <= 1) return [];
  const errors: PolicyError[] = [];
  const limits = tenant.limits.tenant ?? {};
  for (const name of ["requests_per_minute", "tokens_per_minute"] as const) {
    const value = limits[name];
    if (value !== undefined && value < n) {
      errors.push(
        errorAt(
          entry,
          ["tenants", entry.id],
          `limits.tenant.${name} is ${value}, below credits.ledger_shards (${n}): each ledger shard enforces an equal share of a tenant-wide limit, so some shards would admit nothing; raise the limit to at least ${n} or lower ledger_shards`,
        ),
      );
    }
  }
  return errors;
}
