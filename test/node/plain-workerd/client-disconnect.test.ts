import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BuiltWorker, buildGateway, readGatewaySettings } from "../../../bench/build";
import { startUpstashProcess, type UpstashProcess } from "../../../bench/processes";
import { type StartedWorker, startWorker } from "../../../bench/targets";
import { type FakeUpstream, startFakeUpstream } from "../../servers/fake-upstream";
import { startToolTarget, type ToolTarget } from "../../servers/tool-target/server";

/**
 * Clients that hang up over real sockets, against the built gateway under plain `workerd serve` (not the test pool,
 * whose in-process requests cancel a response body directly). The runtime drops a request's pending work when its
 * client disconnects (without always telling the response stream or the request's signal); the hold of every such
 * request must still resolve exactly once — mid-stream at once, for what was delivered — and never be left open
 * until it expires and bills its whole amount. On both ledger backends, for a serial tenant and one with
 * overlapped admission.
 */

const REPO = resolve(".");
/** One caller per admission mode: a static key on a tenant of each (the policy's `acme` and `acme-overlap`). */
interface Caller {
  key: string;
  keyId: string;
  tenant: string;
}
const CALLERS: Caller[] = [
  { key: "plain-workerd-static-key-0123456789abcdef", keyId: "serial", tenant: "acme" },
  { key: "plain-workerd-static-key-overlap-0123456789", keyId: "overlap", tenant: "acme-overlap" },
];
/** A caller on the tenant whose plan runs the gateway's tool loop (tool-loop.yaml). */
const TOOLS_CALLER: Caller = { key: "plain-workerd-static-key-tools-0123456789", keyId: "tools", tenant: "acme-tools" };
const ADMIN = "plain-workerd-admin-0123456789abcdef";
const CLIENTS = 100;

type Backend = "durable-object" | "upstash";

let dir: string;
let fake: FakeUpstream;
let toolTarget: ToolTarget;
let built: BuiltWorker;
/** The gateway of the backend whose tests are running (each backend's suite starts its own). */
let gateway: StartedWorker;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "gw-plain-workerd-"));
  fake = await startFakeUpstream({ port: 0 });
  toolTarget = await startToolTarget({ port: 0 });
  const build = await buildGateway(REPO, join(dir, "gateway"), join(dir, "build.log"), "test/fixtures/plain-workerd");
  if (!build.ok) throw new Error(build.reason);
  built = build.worker;
});

afterAll(async () => {
  await fake?.close();
  await toolTarget?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Starts the gateway on `backend` (for Upstash, a redis-server behind the Upstash-REST front) and funds the callers. */
async function startGateway(backend: Backend): Promise<() => void> {
  const settings = readGatewaySettings(REPO);
  let upstash: UpstashProcess | undefined;
  const ledger: Record<string, string> = {};
  if (backend === "upstash") {
    const data = join(dir, "upstash-data");
    mkdirSync(data, { recursive: true });
    upstash = await startUpstashProcess(join(dir, "upstash.log"), data);
    Object.assign(ledger, {
      LEDGER_BACKEND: "upstash",
      UPSTASH_REDIS_REST_URL: upstash.url,
      UPSTASH_REDIS_REST_TOKEN: upstash.token,
    });
  }
  gateway = await startWorker(
    {
      name: `gateway-${backend}`,
      built,
      vars: {
        ...settings.vars,
        ...ledger,
        FAKE_UPSTREAM_URL: fake.url,
        TOOL_TARGET_URL: toolTarget.url,
        TOOL_TARGET_HOST: toolTarget.host,
        GATEWAY_STATIC_KEYS: JSON.stringify(
          [...CALLERS, TOOLS_CALLER].map((c) => ({
            key_id: c.keyId,
            tenant: c.tenant,
            sha256: createHash("sha256").update(c.key).digest("hex"),
          })),
        ),
        ADMIN_SECRET: ADMIN,
      },
      durableObjects: settings.durableObjects,
      durableObjectDir: join(dir, `do-${backend}`),
    },
    dir,
    join(REPO, "node_modules/.bin/workerd"),
  );
  for (const c of [...CALLERS, TOOLS_CALLER]) {
    await admin("POST", `/admin/accounts/${c.keyId}/credits`, {
      tenant: c.tenant,
      amount: 1e9,
      reference: "seed",
      type: "topup",
    });
  }
  const started = gateway;
  return () => {
    started.process.stop();
    upstash?.stop();
  };
}

async function admin(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${gateway.base}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

/** Streams a chat answer and destroys the socket once `events` data frames have arrived; resolves the request id. */
function hangUpAfter(
  caller: Caller,
  events: number,
  tag: string,
  request_: Record<string, unknown> = { model: "slow-stream", max_tokens: 200 },
): Promise<string> {
  const url = new URL(gateway.base);
  const body = JSON.stringify({ ...request_, stream: true, messages: [{ role: "user", content: `hang up ${tag}` }] });
  return new Promise((resolveId, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: Number(url.port),
        path: "/v1/chat/completions",
        method: "POST",
        headers: { authorization: `Bearer ${caller.key}`, "content-type": "application/json" },
      },
      (res) => {
        const id = String(res.headers["x-request-id"]);
        if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
        let seen = 0;
        res.on("data", (data: Buffer) => {
          seen += data.toString().split("data: ").length - 1;
          if (seen >= events) {
            req.destroy();
            resolveId(id);
          }
        });
        res.on("end", () => reject(new Error(`${id}: the stream ended before the client hung up`)));
      },
    );
    req.on("error", () => undefined);
    req.end(body);
  });
}

type Entry = { type: string; request_id: string | null; amount: number; charged: number | null; flags: string[] };

async function entries(c: Caller): Promise<Entry[]> {
  return (await admin("GET", `/admin/accounts/${c.keyId}/entries?tenant=${c.tenant}&limit=1000`)).data as Entry[];
}

/** Waits (bounded) until the account has no open hold; returns the balance. */
async function atRest(c: Caller): Promise<Record<string, unknown>> {
  const path = `/admin/accounts/${c.keyId}/balance?tenant=${c.tenant}`;
  const deadline = Date.now() + 15_000;
  let balance = await admin("GET", path);
  while (balance.open_holds !== 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    balance = await admin("GET", path);
  }
  return balance;
}

/** Every reservation has exactly one terminal entry (settle or void), whatever its client did. */
function unresolved(list: Entry[]): string[] {
  const terminals = new Map<string, number>();
  for (const e of list) {
    if (e.type !== "reserve" && e.request_id !== null) {
      terminals.set(e.request_id, (terminals.get(e.request_id) ?? 0) + 1);
    }
  }
  return list
    .filter((e) => e.type === "reserve" && e.request_id !== null && terminals.get(e.request_id) !== 1)
    .map((e) => `${e.request_id}: ${terminals.get(e.request_id ?? "") ?? 0} terminal entries`);
}

/** Sends a chat request and destroys the socket after `ms`, before any answer; resolves once it is destroyed. */
function hangUpEarly(caller: Caller, stream: boolean, ms: number, tag: string): Promise<void> {
  const url = new URL(gateway.base);
  const body = JSON.stringify({ model: "slow-start", stream, messages: [{ role: "user", content: `early ${tag}` }] });
  return new Promise((resolveDone) => {
    const req = request({
      host: url.hostname,
      port: Number(url.port),
      path: "/v1/chat/completions",
      method: "POST",
      headers: { authorization: `Bearer ${caller.key}`, "content-type": "application/json" },
    });
    req.on("error", () => undefined);
    req.end(body);
    setTimeout(() => {
      req.destroy();
      resolveDone();
    }, ms);
  });
}

describe.each<Backend>(["durable-object", "upstash"])("%s ledger", (backend) => {
  let stop: () => void = () => undefined;
  beforeAll(async () => {
    stop = await startGateway(backend);
  });
  afterAll(() => stop());

  describe.each(CALLERS)("clients that hang up (plain workerd, real sockets; tenant $tenant)", (caller) => {
    it(`settles every hold at once, for what was delivered (${CLIENTS} clients at a time)`, async () => {
      const ids = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => hangUpAfter(caller, 3, String(i))));

      const balance = await atRest(caller);
      expect(balance.open_holds).toBe(0);
      expect(balance.held).toBe(0);

      const list = await entries(caller);
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
      const before = (await entries(caller)).length;
      await Promise.all(
        Array.from({ length: CLIENTS / 2 }, (_, i) => hangUpEarly(caller, i % 2 === 0, 300, String(i))),
      );
      const balance = await atRest(caller);
      expect(balance.open_holds).toBe(0);
      const list = await entries(caller);
      // Each request reserved and then resolved its hold once (the upstream answers 1.5 s in, after the client left).
      expect(list.length - before).toBe(CLIENTS);
      expect(unresolved(list)).toEqual([]);
    });

    it("a mixed load with faults and hang-ups leaves the books exact at rest", async () => {
      const before = (await entries(caller)).length;
      const kinds = ["json", "stream", "json-500", "drop", "error-mid", "hang-up"] as const;
      const total = 240;
      let next = 0;
      const statuses: string[] = [];
      await Promise.all(
        Array.from({ length: 64 }, async () => {
          for (let i = next++; i < total; i = next++) {
            const kind = kinds[i % kinds.length] ?? "json";
            if (kind === "hang-up") {
              await hangUpAfter(caller, 3, `mixed ${i}`);
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

      const balance = await atRest(caller);
      expect(balance.open_holds).toBe(0);
      expect(balance.held).toBe(0);
      // The money invariant: nothing created or lost.
      expect(Number(balance.balance) + Number(balance.held) + Number(balance.billed)).toBe(Number(balance.credited));
      const list = await entries(caller);
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
      Array.from({ length: 20 }, (_, i) => hangUpAfter(c, 2, `${tag}-${i}`, { model: "loop-slow-tool", tools })),
    );
    const balance = await atRest(c);
    expect(balance.open_holds).toBe(0);
    expect(Number(balance.balance) + Number(balance.held) + Number(balance.billed)).toBe(Number(balance.credited));
    const list = await entries(c);
    expect(unresolved(list)).toEqual([]);
    // Each turn that started was reserved and resolved once (above). The runtime reports a hang-up only when a write
    // to the client fails, so a loop whose client left during the tool call may still run its second turn (and bill
    // it); it never runs more than the two turns and one tool call (each reserved) this scripted model needs.
    const reserves = list.filter((e) => e.type === "reserve" && (e.request_id ?? "").length > 0);
    expect(reserves.length).toBeGreaterThanOrEqual(20);
    expect(reserves.length).toBeLessThanOrEqual(20 * 3);
  });
});
