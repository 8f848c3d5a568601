import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useBuiltGateway } from "./built-gateway";
import { type Backend, type Caller, type Entry, type PlainGateway, startPlainGateway, unresolved } from "./harness";

/**
 * The soak: the built gateway under plain `workerd serve`, 64 clients at once for SOAK_SECONDS (default 20; the
 * README's run used 180) on each ledger backend, with faults all along — upstream 500s, streams that break or error
 * mid-way, clients that hang up mid-stream, and on Upstash the store going down for a moment every few seconds
 * (admissions then fail closed, settlements go to the outbox). At rest the books must be exact: no open hold, every
 * reservation resolved exactly once, credited - billed = balance, and the entries adding up to the balance.
 * Group commit is what runs here: with 64 clients, admissions and settlements meet in batches.
 */

const SECONDS = Number(process.env.SOAK_SECONDS ?? "20");
const CONCURRENCY = 64;
const CALLER: Caller = { key: "plain-workerd-soak-key-0123456789abcdef", keyId: "soak", tenant: "acme" };
const ADMIN = "plain-workerd-soak-admin-0123456789abcdef";
const KINDS = ["json", "json", "stream", "json-500", "drop", "error-mid", "hang-up"] as const;
const MODEL = { json: "chat", stream: "chat", "json-500": "err500", drop: "drop", "error-mid": "err-mid" } as const;

const setup = useBuiltGateway("gw-soak-");

/** Every entry of the account, paging back from the newest. */
async function allEntries(gateway: PlainGateway, c: Caller): Promise<(Entry & { seq: number })[]> {
  const out: (Entry & { seq: number })[] = [];
  let before: number | undefined;
  for (;;) {
    const page = (
      await gateway.admin(
        "GET",
        `/admin/accounts/${c.keyId}/entries?tenant=${c.tenant}&limit=1000${before === undefined ? "" : `&before_seq=${before}`}`,
      )
    ).data as (Entry & { seq: number })[];
    out.push(...page);
    const last = page.at(-1);
    if (page.length < 1000 || last === undefined) return out;
    before = last.seq;
  }
}

describe.each<Backend>(["durable-object", "upstash"])("soak at c=64 with faults (%s ledger)", (backend) => {
  let gateway: PlainGateway;
  beforeAll(async () => {
    gateway = await startPlainGateway({
      backend,
      ...setup(),
      callers: [CALLER],
      adminSecret: ADMIN,
    });
  });
  afterAll(() => gateway?.stop());

  it(
    `${SECONDS} s of mixed load and faults leave the books exact at rest`,
    async () => {
      const deadline = Date.now() + SECONDS * 1000;
      const statuses = new Map<string, number>();
      const count = (k: string) => statuses.set(k, (statuses.get(k) ?? 0) + 1);
      let outages = 0;
      const outage = (async () => {
        const control = gateway.storeControl;
        if (control === undefined) return;
        while (Date.now() < deadline - 3_000) {
          await new Promise((r) => setTimeout(r, 4_000));
          await control("down");
          await new Promise((r) => setTimeout(r, 300));
          await control("up");
          outages++;
        }
      })();
      let n = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (Date.now() < deadline) {
            const i = n++;
            const kind = KINDS[i % KINDS.length] ?? "json";
            if (kind === "hang-up") {
              await gateway.hangUpAfter(CALLER, 3, `soak ${i}`, { model: "chat", max_tokens: 40 }).then(
                () => count("hang-up"),
                () => count("hang-up (answered before the hang-up)"),
              );
              continue;
            }
            const res = await fetch(`${gateway.base}/v1/chat/completions`, {
              method: "POST",
              headers: { authorization: `Bearer ${CALLER.key}`, "content-type": "application/json" },
              body: JSON.stringify({
                model: MODEL[kind],
                stream: kind !== "json" && kind !== "json-500",
                max_tokens: 40,
                messages: [{ role: "user", content: `soak ${i}` }],
              }),
            });
            await res.text();
            count(`${kind} ${res.status}`);
          }
        }),
      );
      await outage;
      console.log(`[soak ${backend}] ${n} requests in ${SECONDS} s, ${outages} store outages`, [...statuses]);
      // Only documented answers: 200; 502 for the upstream 500, or 503 once its circuit breaker opens; 503 while the
      // store is down (admission fails closed).
      for (const key of statuses.keys()) expect(key).toMatch(/^(hang-up.*|\S+ (200|502|503))$/);

      // Settlements caught by an outage wait in the outbox, which retries on its own backoff (1 s, 2 s, 4 s, ...).
      let rest = await gateway.atRest(CALLER);
      for (let i = 0; i < 4 && rest.open_holds !== 0; i++) rest = await gateway.atRest(CALLER);
      expect(rest.open_holds).toBe(0);
      expect(rest.held).toBe(0);
      expect(Number(rest.credited) - Number(rest.billed)).toBe(rest.balance);
      const list = await allEntries(gateway, CALLER);
      expect(unresolved(list)).toEqual([]);
      const sum = list.reduce((s, e) => s + e.amount, 0);
      expect(sum).toBe(rest.balance);
      const charged = list
        .filter((e) => e.type === "settle" || e.type === "expire")
        .reduce((s, e) => s + (e.charged ?? 0), 0);
      expect(charged).toBe(rest.billed);
    },
    SECONDS * 1000 + 120_000,
  );
});
