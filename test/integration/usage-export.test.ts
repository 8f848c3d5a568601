import { describe, expect, it } from "vitest";
import type { UsageEvent } from "../../src/ledger/types";
import { durableObjectBackend, newAccount } from "../helpers/billing";
import { gw } from "../helpers/gateway";
import { admin } from "./admin-helpers";

const b = durableObjectBackend();

async function seeded(count: number) {
  const account = await newAccount(b, 0);
  const t0 = Date.now() - 60_000;
  for (let i = 0; i < count; i++) {
    const e: UsageEvent = {
      requestId: `exp-${account.keyId}-${i}`,
      at: t0 + i,
      tenantId: account.tenantId,
      keyId: account.keyId,
      inputTokens: 1,
      outputTokens: 2,
      cost: i,
      cache: "none",
      latencyMs: 3,
      status: 200,
      policyVersion: "v",
      flags: [],
    };
    await b.ledger.record(e);
  }
  return { account, t0 };
}

async function pages(first: string, fetchPage: (path: string) => Promise<Response>) {
  const ids: string[] = [];
  let path: string | null = first;
  while (path !== null) {
    const res = await fetchPage(path);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      data: { request_id: string }[];
      has_more: boolean;
      next_cursor: string | null;
    };
    ids.push(...body.data.map((e) => e.request_id));
    expect(body.has_more).toBe(body.next_cursor !== null);
    path = body.next_cursor === null ? null : `${first}&cursor=${encodeURIComponent(body.next_cursor)}`;
  }
  return ids;
}

describe("usage paging and NDJSON export", () => {
  it("/admin/usage and /v1/usage page with a cursor through every event; the export streams the range", async () => {
    const { account, t0 } = await seeded(23);
    const expected = Array.from({ length: 23 }, (_, i) => `exp-${account.keyId}-${22 - i}`);
    expect(await pages(`/admin/usage?tenant=t-billing&key_id=${account.keyId}&limit=5`, (p) => admin(p))).toEqual(
      expected,
    );
    expect(await pages("/v1/usage?limit=4", (p) => gw(p, { key: account.key }))).toEqual(expected);
    const ranged = await admin(
      `/admin/usage/export?tenant=t-billing&key_id=${account.keyId}&from=${t0 + 3}&to=${t0 + 13}`,
    );
    expect(ranged.headers.get("content-type")).toBe("application/x-ndjson");
    const lines = (await ranged.text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { request_id: string; cost: number });
    expect(lines.map((l) => l.cost)).toEqual(Array.from({ length: 10 }, (_, i) => 12 - i));
    const own = await gw(`/v1/usage/export?from=${t0}&to=${t0 + 1000}`, { key: account.key });
    expect((await own.text()).trim().split("\n")).toHaveLength(23);
  });

  it("a cursor it did not issue, or an export without its range, is a 400", async () => {
    const bad = await admin("/admin/usage?tenant=t-billing&cursor=zzz");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { param: string } }).error.param).toBe("cursor");
    const noRange = await admin("/admin/usage/export?tenant=t-billing&from=1");
    expect(noRange.status).toBe(400);
  });
});
