import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { type RequestOptions, request } from "node:http";
import { join, resolve } from "node:path";
import { type BuiltWorker, readGatewaySettings } from "../../../bench/build";
import { startUpstashProcess, type UpstashProcess } from "../../../bench/processes";
import { startWorker } from "../../../bench/targets";

/**
 * The built gateway under plain `workerd serve` (started as the bench starts it), and clients that really close their
 * sockets, for the tests in this folder.
 */

const REPO = resolve(".");

/** A static key of one tenant; its credit account is `keyId`. */
export interface Caller {
  key: string;
  keyId: string;
  tenant: string;
}

export type Backend = "durable-object" | "upstash";

export type Entry = {
  type: string;
  request_id: string | null;
  amount: number;
  charged: number | null;
  flags: string[];
};

export interface PlainGateway {
  /** http://127.0.0.1:PORT */
  base: string;
  /** Calls the admin API; throws on a non-2xx answer. */
  admin(method: string, path: string, body?: unknown): Promise<Record<string, unknown>>;
  entries(c: Caller): Promise<Entry[]>;
  /** Waits (bounded) until the account has no open hold; returns the balance. */
  atRest(c: Caller): Promise<Record<string, unknown>>;
  /** Streams a chat answer and destroys the socket once `events` data frames arrived; resolves the request id. */
  hangUpAfter(c: Caller, events: number, tag: string, fields?: Record<string, unknown>): Promise<string>;
  /** Sends a chat request and destroys the socket after `ms`, before any answer; resolves once it is destroyed. */
  hangUpEarly(c: Caller, stream: boolean, ms: number, tag: string): Promise<void>;
  /** Upstash only: POSTs `/__control/<action>` to the store's REST front (`down`, `up`, `lose-replies?count=N`). */
  storeControl?(action: string): Promise<void>;
  /** Stops the gateway (and its Upstash store). */
  stop(): void;
}

export interface PlainGatewayOptions {
  backend: Backend;
  built: BuiltWorker;
  /** Where logs and Durable Object / Redis data go. */
  dir: string;
  callers: Caller[];
  adminSecret: string;
  /** The policy's `${…}` variables (upstream and tool target URLs). */
  vars: Record<string, string>;
}

/** Starts the gateway on `backend` (for Upstash, a redis-server behind the Upstash-REST front) and funds the callers. */
export async function startPlainGateway(opts: PlainGatewayOptions): Promise<PlainGateway> {
  const settings = readGatewaySettings(REPO);
  let upstash: UpstashProcess | undefined;
  const ledger: Record<string, string> = {};
  if (opts.backend === "upstash") {
    const data = join(opts.dir, "upstash-data");
    mkdirSync(data, { recursive: true });
    upstash = await startUpstashProcess(join(opts.dir, "upstash.log"), data);
    Object.assign(ledger, {
      LEDGER_BACKEND: "upstash",
      UPSTASH_REDIS_REST_URL: upstash.url,
      UPSTASH_REDIS_REST_TOKEN: upstash.token,
    });
  }
  const worker = await startWorker(
    {
      name: `gateway-${opts.backend}`,
      built: opts.built,
      vars: {
        ...settings.vars,
        ...ledger,
        ...opts.vars,
        GATEWAY_STATIC_KEYS: JSON.stringify(
          opts.callers.map((c) => ({
            key_id: c.keyId,
            tenant: c.tenant,
            sha256: createHash("sha256").update(c.key).digest("hex"),
          })),
        ),
        ADMIN_SECRET: opts.adminSecret,
      },
      durableObjects: settings.durableObjects,
      durableObjectDir: join(opts.dir, `do-${opts.backend}`),
    },
    opts.dir,
    join(REPO, "node_modules/.bin/workerd"),
  );
  const url = new URL(worker.base);
  const chatRequest = (c: Caller): RequestOptions => ({
    host: url.hostname,
    port: Number(url.port),
    path: "/v1/chat/completions",
    method: "POST",
    headers: { authorization: `Bearer ${c.key}`, "content-type": "application/json" },
  });

  const admin = async (method: string, path: string, body?: unknown): Promise<Record<string, unknown>> => {
    const res = await fetch(`${worker.base}${path}`, {
      method,
      headers: { authorization: `Bearer ${opts.adminSecret}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  };

  const gateway: PlainGateway = {
    base: worker.base,
    admin,
    async entries(c) {
      return (await admin("GET", `/admin/accounts/${c.keyId}/entries?tenant=${c.tenant}&limit=1000`)).data as Entry[];
    },
    async atRest(c) {
      const path = `/admin/accounts/${c.keyId}/balance?tenant=${c.tenant}`;
      const deadline = Date.now() + 15_000;
      let balance = await admin("GET", path);
      while (balance.open_holds !== 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        balance = await admin("GET", path);
      }
      return balance;
    },
    hangUpAfter(c, events, tag, fields = { model: "slow-stream", max_tokens: 200 }) {
      const body = JSON.stringify({ ...fields, stream: true, messages: [{ role: "user", content: `hang up ${tag}` }] });
      return new Promise((resolveId, reject) => {
        const req = request(chatRequest(c), (res) => {
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
        });
        req.on("error", () => undefined);
        req.end(body);
      });
    },
    hangUpEarly(c, stream, ms, tag) {
      const body = JSON.stringify({
        model: "slow-start",
        stream,
        messages: [{ role: "user", content: `early ${tag}` }],
      });
      return new Promise((resolveDone) => {
        const req = request(chatRequest(c));
        req.on("error", () => undefined);
        req.end(body);
        setTimeout(() => {
          req.destroy();
          resolveDone();
        }, ms);
      });
    },
    stop() {
      worker.process.stop();
      upstash?.stop();
    },
  };
  if (upstash !== undefined) {
    const front = upstash.url;
    gateway.storeControl = async (action) => {
      const res = await fetch(`${front}/__control/${action}`, { method: "POST" });
      if (!res.ok) throw new Error(`store control ${action}: ${res.status}`);
    };
  }
  for (const c of opts.callers) {
    await admin("POST", `/admin/accounts/${c.keyId}/credits`, {
      tenant: c.tenant,
      amount: 1e9,
      reference: "seed",
      type: "topup",
    });
  }
  return gateway;
}

/** Reservations without exactly one terminal entry (settle or void): none may exist at rest, whatever a client did. */
export function unresolved(list: Entry[]): string[] {
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
