import { describe, expect, it } from "vitest";
import { admin, billOne, createKey, topUp } from "./admin-helpers";

interface UsageBody {
  object: string;
  request_id: string;
  at: string;
  tenant: string;
  key_id: string;
  model: string | null;
  input_tokens: number;
  output_tokens: number;
  cost: number;
}

async function usage(query: string): Promise<UsageBody[]> {
  const res = await admin(`/admin/usage?${query}`);
  expect(res.status, await res.clone().text()).toBe(200);
  const body = (await res.json()) as { object: string; data: UsageBody[] };
  expect(body.object).toBe("list");
  return body.data;
}

describe("GET /admin/usage", () => {
  it("lists a tenant's usage events, filtered by key, since and limit", async () => {
    const [a, b, other] = await Promise.all([
      createKey({ tenant: "t-main" }),
      createKey({ tenant: "t-main" }),
      createKey({ tenant: "t-restricted" }),
    ]);
    await Promise.all([topUp(a.key_id, 10_000), topUp(b.key_id, 10_000), topUp(other.key_id, 10_000)]);
    const t0 = Date.now() - 60_000;
    const a1 = await billOne(a.key_id, "t-main", "m-a1", t0);
    const a2 = await billOne(a.key_id, "t-main", "m-a2", t0 + 1000);
    const b1 = await billOne(b.key_id, "t-main", "m-b1", t0 + 2000);
    const o1 = await billOne(other.key_id, "t-restricted", "m-o1", t0 + 3000);

    const ofA = await usage(`tenant=t-main&key_id=${a.key_id}`);
    expect(ofA.map((e) => e.request_id)).toEqual([a2, a1]);
    expect(ofA[0]).toMatchObject({
      object: "usage_event",
      tenant: "t-main",
      key_id: a.key_id,
      model: "m-a2",
      input_tokens: 10,
      output_tokens: 20,
      cost: 120,
      at: new Date(t0 + 1000).toISOString(),
    });

    const tenantWide = (await usage("tenant=t-main&limit=1000")).map((e) => e.request_id);
    expect(tenantWide).toEqual(expect.arrayContaining([a1, a2, b1]));
    expect(tenantWide).not.toContain(o1);

    expect((await usage(`tenant=t-main&key_id=${a.key_id}&limit=1`)).map((e) => e.request_id)).toEqual([a2]);
    const since = new Date(t0 + 500).toISOString();
    expect((await usage(`tenant=t-main&key_id=${a.key_id}&since=${since}`)).map((e) => e.request_id)).toEqual([a2]);
    expect(await usage(`tenant=t-main&key_id=${a.key_id}&since=${t0 + 5000}`)).toEqual([]);
  });
});
