/**
 * Storage details of the TenantLedger that the shared contract cannot see: responses larger than a SQLite value
 * may be (2 MB) are stored in parts, and expired idempotency records and tasks do not accumulate.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { createDurableObjectLedger } from "../../../src/ledger/durable-object";
import { splitText } from "../../../src/ledger/durable-object/idempotency";
import { admitOk, admitReq, freshAccount, fund, settleReq, uid } from "./contract-helpers";

const facade = () => createDurableObjectLedger({ tenants: env.TENANT_LEDGER, keys: env.KEY_DIRECTORY });

async function count(tenantId: string, table: string): Promise<number> {
  const stub = env.TENANT_LEDGER.get(env.TENANT_LEDGER.idFromName(tenantId));
  return runInDurableObject(stub, (_, state) => {
    const row = state.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).one();
    return row.n;
  });
}

it("splitText never cuts a surrogate pair and loses nothing", () => {
  const text = `a${"😀".repeat(10)}b`;
  for (const size of [1, 2, 3, 4, 7]) {
    const parts = splitText(text, size);
    expect(parts.join("")).toBe(text);
    // encodeURIComponent throws on a lone surrogate half.
    for (const p of parts) expect(() => encodeURIComponent(p)).not.toThrow();
  }
  expect(splitText("")).toEqual([""]);
});

it("a stored response of several MB (astral characters at part boundaries) replays unchanged", async () => {
  const { ledger } = facade();
  const a = freshAccount();
  await fund(ledger, a, 1_000_000);
  const key = uid("idem");
  const idempotency = { key, bodyHash: "big", ttlMs: 600_000 };
  const { req } = await admitOk(ledger, a, { idempotency });
  // 3 MB of UTF-8 with an odd prefix, so part boundaries fall inside surrogate pairs.
  const response = { status: 200, headers: { "content-type": "text/plain" }, body: `x${"😀".repeat(750_000)}` };
  await ledger.settle(settleReq(a, req.requestId, 10, { idempotency: { key, response } }));
  expect(await count(a.tenantId, "idempotency_parts")).toBeGreaterThan(2);
  expect(await ledger.admit(admitReq(a, { idempotency }))).toEqual({ kind: "replay", response });
});

it("expired idempotency records and tasks are removed as new ones are written", async () => {
  const { ledger } = facade();
  const a = freshAccount();
  await fund(ledger, a, 1_000_000);
  for (let i = 0; i < 3; i++) {
    const key = uid("idem");
    const task = { id: uid("task"), fingerprint: "fp", limits: {}, ttlMs: 1 };
    const { req } = await admitOk(ledger, a, { idempotency: { key, bodyHash: "h", ttlMs: 1 }, task });
    const response = { status: 200, headers: {}, body: "ok" };
    await ledger.settle(settleReq(a, req.requestId, 10, { idempotency: { key, response } }));
  }
  // Each admit above already removed its expired predecessors; the last record and task expire now.
  const writtenBy = Date.now() + 1;
  while (Date.now() <= writtenBy) await scheduler.wait(2);
  const fresh = { id: uid("task"), fingerprint: "fp", limits: {}, ttlMs: 600_000 };
  await admitOk(ledger, a, { idempotency: { key: uid("idem"), bodyHash: "h", ttlMs: 600_000 }, task: fresh });
  expect(await count(a.tenantId, "idempotency")).toBe(1);
  expect(await count(a.tenantId, "idempotency_parts")).toBe(0);
  expect(await count(a.tenantId, "tasks")).toBe(1);
  expect(await count(a.tenantId, "task_fingerprints")).toBe(1);
});
