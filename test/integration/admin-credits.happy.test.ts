import { describe, expect, it } from "vitest";
import { TEST_KEYS } from "../helpers/keys";
import { admin, adminPost, createKey, topUp } from "./admin-helpers";

interface BalanceBody {
  object: string;
  account_id: string;
  tenant: string;
  balance: number;
  held: number;
  open_holds: number;
  credited: number;
  billed: number;
}

interface EntryBody {
  seq: number;
  type: string;
  amount: number;
  balance_after: number;
  reference: string | null;
  at: string;
}

async function entries(path: string): Promise<EntryBody[]> {
  const res = await admin(path);
  expect(res.status, await res.clone().text()).toBe(200);
  const body = (await res.json()) as { object: string; data: EntryBody[] };
  expect(body.object).toBe("list");
  return body.data;
}

describe("credits of an API key", () => {
  it("a new key has an empty balance", async () => {
    const { key_id } = await createKey({ tenant: "t-main" });
    const res = await admin(`/admin/keys/${key_id}/balance`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      object: "balance",
      account_id: key_id,
      tenant: "t-main",
      balance: 0,
      held: 0,
      open_holds: 0,
      credited: 0,
      billed: 0,
    });
  });

  it("a top-up is idempotent by reference", async () => {
    const { key_id } = await createKey({ tenant: "t-main" });
    const body = { amount: 2_500_000, reference: "invoice-42", type: "topup" };
    const first = await adminPost(`/admin/keys/${key_id}/credits`, body);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({
      account_id: key_id,
      tenant: "t-main",
      balance: 2_500_000,
      applied: true,
    });
    // `applied: false` says the reference was used before: the replay changed nothing.
    const replay = await adminPost(`/admin/keys/${key_id}/credits`, body);
    expect(await replay.json()).toMatchObject({ balance: 2_500_000, credited: 2_500_000, applied: false });
    // The reference is the idempotency key: even another amount under it changes nothing.
    const reused = await adminPost(`/admin/keys/${key_id}/credits`, { ...body, amount: 9 });
    expect(await reused.json()).toMatchObject({ balance: 2_500_000, applied: false });
    await topUp(key_id, 500_000, "invoice-43");
    // An older reference is still found (the entries since the call began are all that is read).
    const older = await adminPost(`/admin/keys/${key_id}/credits`, body);
    expect(await older.json()).toMatchObject({ balance: 3_000_000, applied: false });
    const balance = (await (await admin(`/admin/keys/${key_id}/balance`)).json()) as BalanceBody;
    expect(balance).toMatchObject({ balance: 3_000_000, credited: 3_000_000 });
  });

  it("an adjustment removes credits but never takes the balance below zero", async () => {
    const { key_id } = await createKey({ tenant: "t-main" });
    await topUp(key_id, 1000);
    const down = await adminPost(`/admin/keys/${key_id}/credits`, { amount: -400, reference: "fix-1", type: "adjust" });
    expect(await down.json()).toMatchObject({ balance: 600 });
    const over = await adminPost(`/admin/keys/${key_id}/credits`, {
      amount: -5000,
      reference: "fix-2",
      type: "adjust",
    });
    expect(over.status).toBe(200);
    expect(await over.json()).toMatchObject({ balance: 0 });
    const up = await adminPost(`/admin/keys/${key_id}/credits`, { amount: 7, reference: "fix-3", type: "adjust" });
    expect(await up.json()).toMatchObject({ balance: 7 });
  });

  it("lists ledger entries newest first, with paging by before_seq", async () => {
    const { key_id } = await createKey({ tenant: "t-main" });
    await topUp(key_id, 100, "e-1");
    await topUp(key_id, 200, "e-2");
    await adminPost(`/admin/keys/${key_id}/credits`, { amount: -50, reference: "e-3", type: "adjust" });

    const all = await entries(`/admin/keys/${key_id}/entries`);
    expect(all.map((e) => [e.type, e.amount, e.balance_after, e.reference])).toEqual([
      ["adjust", -50, 250, "e-3"],
      ["topup", 200, 300, "e-2"],
      ["topup", 100, 100, "e-1"],
    ]);
    expect(all.every((e) => !Number.isNaN(Date.parse(e.at)))).toBe(true);

    const firstPage = await entries(`/admin/keys/${key_id}/entries?limit=2`);
    expect(firstPage.map((e) => e.reference)).toEqual(["e-3", "e-2"]);
    const last = firstPage.at(-1)?.seq;
    const next = await entries(`/admin/keys/${key_id}/entries?limit=2&before_seq=${last}`);
    expect(next.map((e) => e.reference)).toEqual(["e-1"]);
  });
});

describe("credits of other accounts (/admin/accounts/:account)", () => {
  it("credits a JWT subject's account (URL-encoded), in the tenant named", async () => {
    const subject = `user/${crypto.randomUUID()}`;
    const account = encodeURIComponent(`jwt:${subject}`);
    const res = await adminPost(`/admin/accounts/${account}/credits`, {
      tenant: "t-jwt",
      amount: 1234,
      reference: "grant-1",
      type: "topup",
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({ account_id: `jwt:${subject}`, tenant: "t-jwt", balance: 1234 });

    const balance = await admin(`/admin/accounts/${account}/balance?tenant=t-jwt`);
    expect(await balance.json()).toMatchObject({ account_id: `jwt:${subject}`, balance: 1234 });
    const list = await entries(`/admin/accounts/${account}/entries?tenant=t-jwt`);
    expect(list.map((e) => e.reference)).toEqual(["grant-1"]);
  });

  it("credits a bootstrap static key's account", async () => {
    const { keyId, tenant } = TEST_KEYS.restricted;
    const reference = crypto.randomUUID();
    const res = await adminPost(`/admin/accounts/${keyId}/credits`, { tenant, amount: 10, reference, type: "topup" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ account_id: keyId, tenant });
    // Other tests may bill this shared account meanwhile, so look for the entry rather than a balance.
    const list = await entries(`/admin/accounts/${keyId}/entries?tenant=${tenant}&limit=1000`);
    expect(list.find((e) => e.reference === reference)).toMatchObject({ type: "topup", amount: 10 });
  });
});
