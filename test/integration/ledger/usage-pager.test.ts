import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDurableObjectLedger, createDurableObjectUsagePager } from "../../../src/ledger/durable-object";
import { InvalidCursorError, type Ledger, type UsageEvent, type UsagePager } from "../../../src/ledger/types";
import { createUpstashLedger } from "../../../src/ledger/upstash";

const BACKENDS: [string, () => { ledger: Ledger; usage: UsagePager }][] = [
  [
    "durable-object",
    () => ({
      ledger: createDurableObjectLedger({ tenants: env.TENANT_LEDGER, keys: env.KEY_DIRECTORY }).ledger,
      usage: createDurableObjectUsagePager(env.TENANT_LEDGER),
    }),
  ],
  [
    "upstash",
    () =>
      createUpstashLedger({
        url: env.UPSTASH_REDIS_REST_URL,
        token: env.UPSTASH_REDIS_REST_TOKEN,
        prefix: `pager-${crypto.randomUUID().slice(0, 8)}:`,
      }),
  ],
];

function event(tenantId: string, i: number, at: number, keyId = "k1"): UsageEvent {
  return {
    requestId: `r-${i}`,
    at,
    tenantId,
    keyId,
    inputTokens: 1,
    outputTokens: 1,
    cost: i,
    cache: "none",
    latencyMs: 1,
    status: 200,
    policyVersion: "v",
    flags: [],
  };
}

async function all(
  usage: UsagePager,
  tenant: string,
  q: { limit: number; from?: number; to?: number; keyId?: string },
  during?: () => Promise<void>,
) {
  const seen: UsageEvent[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await usage.page(tenant, { ...q, ...(cursor ? { cursor } : {}) });
    seen.push(...page.events);
    cursor = page.next;
    pages++;
    if (during) await during();
  } while (cursor !== undefined && pages < 100);
  return { seen, pages };
}

describe.each(BACKENDS)("usage pages through every event: %s", (_name, make) => {
  it("pages past 1,000 events, each exactly once, while new events keep arriving; ranges and keys filter", async () => {
    const { ledger, usage } = make();
    const tenant = `pager-${crypto.randomUUID().slice(0, 8)}`;
    const t0 = 1_800_000_000_000;
    const total = 1_250;
    for (let i = 0; i < total; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, j) =>
          ledger.record(event(tenant, i + j, t0 + i + j, (i + j) % 5 === 0 ? "k2" : "k1")),
        ),
      );
    }
    let extra = total;
    const { seen, pages } = await all(usage, tenant, { limit: 400 }, async () => {
      await ledger.record(event(tenant, extra++, t0 + 10 * total));
    });
    const old = seen.filter((e) => e.at < t0 + 10 * total);
    expect(old.map((e) => e.requestId).sort()).toEqual(Array.from({ length: total }, (_, i) => `r-${i}`).sort());
    expect(pages).toBeGreaterThanOrEqual(4);
    const ranged = await all(usage, tenant, { limit: 300, from: t0 + 100, to: t0 + 900 });
    expect(ranged.seen.map((e) => e.cost).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 800 }, (_, i) => 100 + i),
    );
    const k2 = await all(usage, tenant, { limit: 1000, keyId: "k2", to: t0 + total });
    expect(k2.seen).toHaveLength(total / 5);
    await expect(usage.page(tenant, { limit: 10, cursor: "nope" })).rejects.toBeInstanceOf(InvalidCursorError);
  }, 120_000);
});
