/**
 * The runtime floor of any gateway that keeps its books in a Durable Object per request: the bare Hono passthrough
 * plus `DO_CALLS` (1 or 2) calls to a SQLite-backed Durable Object that does nothing. The first call is awaited before
 * the upstream fetch (as an admission must be), the second runs after the response from waitUntil (as a settlement
 * does). Each call carries an item shaped like the ledger's own (an admission; a settlement with its usage event) and
 * gets a small answer back, so serialisation costs what the ledger's does; the object neither reads nor writes
 * storage. What a real ledger adds on top of this row is its own work; what this row adds over the passthrough no
 * per-request Durable Object ledger can avoid.
 *
 * With `DO_WRITE=1` (the `do-write` row) the object writes what an exact ledger must make durable at the least: the
 * admission inserts one hold row and the settlement deletes it, each in its own `transactionSync` as the ledger's
 * are, and each answer leaves only once the write is committed (the output gate holds it, as it holds the ledger's).
 * What the gateway's ledger does beyond that floor (its account, entry and usage rows, its alarm) is its own work.
 *
 * With `DO_GROUP=1` as well (the `do-write-gc` row) the two calls go through the ledger's own group commit
 * (src/ledger/group-commit.ts, admissions urgent, settlements kept alive by waitUntil, as the gateway's ledger facade
 * sets it up): what arrives while a batch is out goes as one call, which the object applies in ONE `transactionSync`
 * (one INSERT or DELETE per item, nothing else). At c=64 that is the least CPU a Durable Object ledger that records
 * each hold durably can spend per request; at c=1 it is the same two round trips as `do-write` plus the group commit's
 * own bookkeeping (its microtask, the call's timeout timer, waitUntil), which costs a little latency there.
 */
import { DurableObject, waitUntil } from "cloudflare:workers";
import { Hono } from "hono";
import { GroupCommit, type ItemOutcome } from "../../src/ledger/group-commit";

interface Bindings {
  UPSTREAM_URL: string;
  DO_CALLS: string;
  /** "1": the object writes the hold (WriteLedgerObject); otherwise it does nothing (NoopLedgerObject). */
  DO_WRITE?: string;
  /** "1": the calls go through the ledger's group commit to WriteLedgerObject.commit (the `do-write-gc` row). */
  DO_GROUP?: string;
  NOOP_LEDGER: DurableObjectNamespace<NoopLedgerObject>;
  WRITE_LEDGER: DurableObjectNamespace<WriteLedgerObject>;
}

type Admission = ReturnType<typeof admission>;
type Settlement = ReturnType<typeof settlement>;
type Item = { kind: "admit"; req: Admission } | { kind: "settle"; req: Settlement };

export class NoopLedgerObject extends DurableObject {
  admit(req: Admission) {
    return { kind: "admitted", reserved: req.promptCost, outputTokens: 64, clamped: false, balanceAfter: 0, rate: [] };
  }

  settle(req: Settlement) {
    return { kind: "settled", charged: req.cost, released: 0, balanceAfter: 0 };
  }
}

/** The least durable work of an exact ledger: one hold row in, one hold row out, each in a transaction. */
export class WriteLedgerObject extends DurableObject {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(
      "CREATE TABLE IF NOT EXISTS holds (key_id TEXT NOT NULL, request_id TEXT NOT NULL, amount INTEGER NOT NULL, " +
        "expires_at INTEGER NOT NULL, PRIMARY KEY (key_id, request_id)) WITHOUT ROWID",
    );
  }

  admit(req: Admission) {
    const now = Date.now();
    this.ctx.storage.transactionSync(() => this.insert(req, now));
    return admitted(req);
  }

  settle(req: Settlement) {
    this.ctx.storage.transactionSync(() => this.remove(req));
    return settled(req);
  }

  /** A group-committed batch: every item's row in one transaction, one answer per item. */
  commit(items: Item[]): ItemOutcome<unknown>[] {
    const now = Date.now();
    return this.ctx.storage.transactionSync(() =>
      items.map((item) => {
        if (item.kind === "settle") {
          this.remove(item.req);
          return { ok: true, value: settled(item.req) };
        }
        this.insert(item.req, now);
        return { ok: true, value: admitted(item.req) };
      }),
    );
  }

  private insert(req: Admission, now: number): void {
    this.sql.exec(
      "INSERT INTO holds (key_id, request_id, amount, expires_at) VALUES (?, ?, ?, ?)",
      req.keyId,
      req.requestId,
      req.promptCost,
      now + req.holdTtlMs,
    );
  }

  private remove(req: Settlement): void {
    this.sql.exec("DELETE FROM holds WHERE key_id = ? AND request_id = ?", req.keyId, req.requestId);
  }
}

const admitted = (req: Admission) => ({
  kind: "admitted",
  reserved: req.promptCost,
  outputTokens: 64,
  clamped: false,
  balanceAfter: 0,
  rate: [],
});
const settled = (req: Settlement) => ({ kind: "settled", charged: req.cost, released: 0, balanceAfter: 0 });

/** One per isolate, as the gateway's ledger facade keeps one (the namespace binding is the same on every request). */
let commits: GroupCommit<Item, unknown> | undefined;

function groupCommit(ns: DurableObjectNamespace<WriteLedgerObject>): GroupCommit<Item, unknown> {
  commits ??= new GroupCommit<Item, unknown>({
    timeoutMs: 10_000,
    keepAlive: waitUntil,
    urgent: (item) => item.kind === "admit",
    label: () => "floor ledger",
    send: async (name, items) => await ns.get(ns.idFromName(name)).commit(items),
  });
  return commits;
}

const app = new Hono<{ Bindings: Bindings }>();

app.post("/v1/chat/completions", async (c) => {
  const calls = Number(c.env.DO_CALLS);
  const requestId = crypto.randomUUID();
  if (c.env.DO_GROUP === "1") {
    const commits = groupCommit(c.env.WRITE_LEDGER);
    await commits.submit("acme", { kind: "admit", req: admission(requestId) });
    const response = await fetch(new URL("/v1/chat/completions", c.env.UPSTREAM_URL), c.req.raw);
    c.executionCtx.waitUntil(
      commits.submit("acme", { kind: "settle", req: settlement(requestId) }).then(() => undefined),
    );
    return response;
  }
  const ns = c.env.DO_WRITE === "1" ? c.env.WRITE_LEDGER : c.env.NOOP_LEDGER;
  if (calls >= 1) await ns.get(ns.idFromName("acme")).admit(admission(requestId));
  const response = await fetch(new URL("/v1/chat/completions", c.env.UPSTREAM_URL), c.req.raw);
  if (calls >= 2) {
    c.executionCtx.waitUntil(
      ns
        .get(ns.idFromName("acme"))
        .settle(settlement(requestId))
        .then(() => undefined),
    );
  }
  return response;
});

function admission(requestId: string) {
  return {
    keyId: "bench",
    tenantId: "acme",
    requestId,
    promptCost: 12,
    outputPricePerMtok: 600_000,
    maxOutputTokens: 4096,
    minOutputTokens: 1,
    promptTokens: 9,
    limits: {} as Record<string, number>,
    holdTtlMs: 600_000,
  };
}

function settlement(requestId: string) {
  const now = Date.now();
  return {
    keyId: "bench",
    tenantId: "acme",
    requestId,
    cost: 51,
    inputTokens: 9,
    outputTokens: 64,
    flags: [] as string[],
    usage: {
      requestId,
      at: now,
      tenantId: "acme",
      keyId: "bench",
      route: "small",
      model: "small",
      provider: "local-origin",
      inputTokens: 9,
      outputTokens: 64,
      cost: 51,
      cache: "miss",
      latencyMs: 2,
      status: 200,
      policyVersion: "0123456789abcdef",
      flags: [] as string[],
      attempts: 1,
      fallback: false,
    },
  };
}

export default app;
