import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useBuiltGateway } from "./built-gateway";
import { type Backend, type Caller, type PlainGateway, startPlainGateway, unresolved } from "./harness";

/**
 * Clients that hang up over real sockets, against the built gateway under plain `workerd serve` (not the test pool,
 * whose in-process requests cancel a response body directly). The runtime drops a request's pending work when its
 * client disconnects (without always telling the response stream or the request's signal); the hold of every such
 * request must still resolve exactly once — mid-stream at once, for what was delivered — and never be left open
 * until it expires and bills its whole amount. On both ledger backends, for a serial tenant and one with
 * overlapped admission.
 */

/** One caller per admission mode: a static key on a tenant of each (the policy's `acme` and `acme-overlap`). */
const CALLERS: Caller[] = [
  { key: "plain-workerd-static-key-0123456789abcdef", keyId: "serial", tenant: "acme" },
  { key: "plain-workerd-static-key-overlap-0123456789", keyId: "overlap", tenant: "acme-overlap" },
];
/** A caller on the tenant whose plan runs the gateway's tool loop (tool-loop.yaml). */
const TOOLS_CALLER: Caller = { key: "plain-workerd-static-key-tools-0123456789", keyId: "tools", tenant: "acme-tools" };
const ADMIN = "plain-workerd-admin-0123456789abcdef";
const CLIENTS = 100;

/** The gateway of the backend whose tests are running (each backend's suite starts its own). */
let gateway: PlainGateway;

const setup = useBuiltGateway("gw-plain-workerd-");

describe.each<Backend>(["durable-object", "upstash"])("%s ledger", (backend) => {
  beforeAll(async () => {
    gateway = await startPlainGateway({
      backend,
      ...setup(),
      callers: [...CALLERS, TOOLS_CALLER],
      adminSecret: ADMIN,
    });
  });
  afterAll(() => gateway?.stop());

  describe.each(CALLERS)("clients that hang up (plain workerd, real sockets; tenant $tenant)", (caller) => {
    it(`settles every hold at once, for what was delivered (${CLIENTS} clients at a time)`, async () => {
      const ids = await Promise.all(
        Array.from({ length: CLIENTS }, (_, i) => gateway.hangUpAfter(caller, 3, String(i))),
      );

      const balance = await gateway.atRest(caller);
      expect(balance.open_holds).toBe(0);
      expect(balance.held).toBe(0);

      const list = await gateway.entries(caller);
      expect(unresolved(list)).toEqual([]);
      for (const id of ids) {
        const mine = list.filter((e) => e.request_id === id);
        const reserve = mine.find((e) => e.type === "reserve");
        const terminals = mine.filter((e) => e.type !== "reserve");
        expect(
          terminals.map((e) => e.type),
          id,
        ).toEqual(["settle"]);
        const settle = terminals[0];
        // Billed from the delivered text: a few tokens, far below the hold (which is what an expiry would bill).
        expect(settle?.charged ?? 0, id).toBeGreaterThan(0);
        expect(settle?.charged ?? 0, id).toBeLessThan(reserve?.charged ?? 0);
        expect(settle?.flags, id).toContain("client_disconnected");
      }
    });

    it("resolves every hold of clients that leave before the first byte (JSON and streams)", async () => {
      const before = (await gateway.entries(caller)).length;
      await Promise.all(
        Array.from({ length: CLIENTS / 2 }, (_, i) => gateway.hangUpEarly(caller, i % 2 === 0, 300, String(i))),
      );
      const balance = await gateway.atRest(caller);
      expect(balance.open_holds).toBe(0);
      const list = await gateway.entries(caller);
      // Each request reserved and then resolved its hold once (the upstream answers 1.5 s in, after the client left).
      expect(list.length - before).toBe(CLIENTS);
      expect(unresolved(list)).toEqual([]);
    });

    it("a mixed load with faults and hang-ups leaves the books exact at rest", async () => {
      const before = (await gateway.entries(caller)).length;
      const kinds = ["json", "stream", "json-500", "drop", "error-mid", "hang-up"] as const;
      const total = 240;
      let next = 0;
      const statuses: string[] = [];
      await Promise.all(
        Array.from({ length: 64 }, async () => {
          for (let i = next++; i < total; i = next++) {
            const kind = kinds[i % kinds.length] ?? "json";
            if (kind === "hang-up") {
              await gateway.hangUpAfter(caller, 3, `mixed ${i}`);
              continue;
            }
            const model = { json: "chat", stream: "chat", "json-500": "err500", drop: "drop", "error-mid": "err-mid" }[
              kind
            ];
            const res = await fetch(`${gateway.base}/v1/chat/completions`, {
              method: "POST",
              headers: { authorization: `Bearer ${caller.key}`, "content-type": "application/json" },
              body: JSON.stringify({
                model,
                stream: kind !== "json" && kind !== "json-500",
                max_tokens: 40,
                messages: [{ role: "user", content: `mixed ${i}` }],
              }),
            });
            await res.text();
            statuses.push(`${kind} ${res.status}`);
          }
        }),
      );
      // Every request got its documented answer: 502 for the upstream 500, in-band errors for the broken streams.
      expect(new Set(statuses)).toEqual(
        new Set(["json 200", "stream 200", "json-500 502", "drop 200", "error-mid 200"]),
      );

      const balance = await gateway.atRest(caller);
      expect(balance.open_holds).toBe(0);
      expect(balance.held).toBe(0);
      // The money invariant: nothing created or lost.
      expect(Number(balance.balance) + Number(balance.held) + Number(balance.billed)).toBe(Number(balance.credited));
      const list = await gateway.entries(caller);
      expect(unresolved(list)).toEqual([]);
      // Each request reserved once and resolved once (the 500s included: voided).
      expect(list.length - before).toBe(2 * total);
    });
  });

  it("a streamed tool loop whose client hangs up while a tool runs resolves every hold", async () => {
    const c = TOOLS_CALLER;
    const tools = [{ type: "function", function: { name: "slow_lookup" } }];
    const tag = `loop-${backend}`;
    // The first data frame is the model's "checking." before its tool call; the gateway then runs the tool (800 ms).
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        gateway.hangUpAfter(c, 2, `${tag}-${i}`, { model: "loop-slow-tool", tools }),
      ),
    );
    const balance = await gateway.atRest(c);
    expect(balance.open_holds).toBe(0);
    expect(Number(balance.balance) + Number(balance.held) + Number(balance.billed)).toBe(Number(balance.credited));
    const list = await gateway.entries(c);
    expect(unresolved(list)).toEqual([]);
    // Each turn that started was reserved and resolved once (above). The runtime reports a hang-up only when a write
    // to the client fails, so a loop whose client left during the tool call may still run its second turn (and bill
    // it); it never runs more than the two turns and one tool call (each reserved) this scripted model needs.
    const reserves = list.filter((e) => e.type === "reserve" && (e.request_id ?? "").length > 0);
    expect(reserves.length).toBeGreaterThanOrEqual(20);
    expect(reserves.length).toBeLessThanOrEqual(20 * 3);
  });
});
