import { integerArg, listFlag, UsageError } from "./args";
import type { AdminClient } from "./client";
import { balanceFields, cacheStatsFields, credits, entriesTable, keyFields, keysTable, usageTable } from "./format";
import { reportText } from "./report";

type Row = Record<string, unknown>;

export interface CommandInput {
  /** Positionals after the command words. */
  args: string[];
  flag(name: string): string | undefined;
  client: AdminClient;
}

export interface CommandOutput {
  /** What `--json` prints: the gateway's answer, unchanged. */
  data: unknown;
  human: string;
}

export interface Command {
  words: [string] | [string, string];
  usage: string;
  summary: string;
  /** Value flags this command accepts (beyond the global ones). */
  flags: string[];
  /** Exact number of positionals. */
  arity: number;
  run(input: CommandInput): Promise<CommandOutput>;
}

function rows(data: unknown): Row[] {
  const list = (data as { data?: unknown }).data;
  return Array.isArray(list) ? (list as Row[]) : [];
}

function required(input: CommandInput, name: string): string {
  const value = input.flag(name);
  if (value === undefined || value === "") throw new UsageError(`--${name} is required`);
  return value;
}

function query(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, v);
  const text = q.toString();
  return text === "" ? "" : `?${text}`;
}

/** A store-backed key (`/admin/keys/ID/…`), or with --tenant any other account (`jwt:<subject>`, static key). */
function accountPath(input: CommandInput, suffix: string): { path: string; tenant: string | undefined } {
  const id = input.args[0] ?? "";
  const tenant = input.flag("tenant");
  const base = tenant === undefined ? "/admin/keys" : "/admin/accounts";
  return { path: `${base}/${encodeURIComponent(id)}/${suffix}`, tenant };
}

function creditCommand(word: "add" | "adjust", type: "topup" | "adjust"): Command {
  return {
    words: ["credits", word],
    usage: `credits ${word} ID AMOUNT --reference R [--tenant T]`,
    summary:
      type === "topup"
        ? "top up an account by AMOUNT micro-credits (idempotent per reference)"
        : "add or remove (negative AMOUNT) micro-credits; never below zero (idempotent per reference)",
    flags: ["reference", "tenant"],
    arity: 2,
    async run(input) {
      const amount = integerArg("AMOUNT", input.args[1]);
      const reference = required(input, "reference");
      const { path, tenant } = accountPath(input, "credits");
      const body: Row = { amount, reference, type };
      if (tenant !== undefined) body.tenant = tenant;
      const data = (await input.client.request("POST", path, body)) as Row;
      return {
        data,
        human: `${type === "topup" ? "Top-up" : "Adjustment"} of ${credits(amount)} credits recorded for ${data.account_id} under reference ${reference} (a reference already used changes nothing).\n${balanceFields(data)}`,
      };
    },
  };
}

export const COMMANDS: Command[] = [
  {
    words: ["keys", "create"],
    usage:
      "keys create --tenant T [--name N] [--expires-at ISO|MS] [--routes a,b] [--scopes s,t] [--tags x,y] [--credits MICRO]",
    summary:
      "create an API key (it starts with 0 credits; --credits tops it up at once); the key is printed once and cannot be shown again",
    flags: ["tenant", "name", "expires-at", "routes", "scopes", "tags", "credits"],
    arity: 0,
    async run(input) {
      const body: Row = { tenant: required(input, "tenant") };
      const name = input.flag("name");
      if (name !== undefined) body.name = name;
      const expires = input.flag("expires-at");
      if (expires !== undefined) body.expires_at = /^\d+$/.test(expires) ? Number(expires) : expires;
      for (const [flag, field] of [
        ["routes", "routes"],
        ["scopes", "scopes"],
        ["tags", "tags"],
      ] as const) {
        const list = listFlag(input.flag(flag));
        if (list !== undefined) body[field] = list;
      }
      const initial = input.flag("credits");
      const amount = initial === undefined ? undefined : integerArg("--credits", initial);
      const data = (await input.client.request("POST", "/admin/keys", body)) as Row;
      let funding: string;
      if (amount === undefined || amount === 0) {
        funding =
          `This key has 0 credits: its first call answers 402 until you top it up:\n` +
          `  npm run gateway -- credits add ${data.key_id} <micro-credits> --reference <reference>`;
      } else {
        // A reference tied to the key: re-running this top-up can never add the credits twice.
        const topup = (await input.client.request("POST", `/admin/keys/${String(data.key_id)}/credits`, {
          amount,
          reference: `initial-${String(data.key_id)}`,
          type: "topup",
        })) as Row;
        funding = `Topped up with ${credits(amount)} credits (reference initial-${data.key_id}).\n${balanceFields(topup)}`;
      }
      const human = [
        `Created key ${data.key_id} for tenant ${data.tenant}.`,
        "",
        `  ${data.key}`,
        "",
        "Store it now: the gateway keeps only its hash and cannot show it again.",
        "",
        keyFields(data),
        "",
        funding,
      ].join("\n");
      return { data, human };
    },
  },
  {
    words: ["keys", "list"],
    usage: "keys list --tenant T",
    summary: "list a tenant's keys (never the keys themselves)",
    flags: ["tenant"],
    arity: 0,
    async run(input) {
      const data = await input.client.request("GET", `/admin/keys${query({ tenant: required(input, "tenant") })}`);
      return { data, human: keysTable(rows(data)) };
    },
  },
  {
    words: ["keys", "show"],
    usage: "keys show ID",
    summary: "show one key's record",
    flags: [],
    arity: 1,
    async run(input) {
      const data = (await input.client.request("GET", `/admin/keys/${encodeURIComponent(input.args[0] ?? "")}`)) as Row;
      return { data, human: keyFields(data) };
    },
  },
  {
    words: ["keys", "revoke"],
    usage: "keys revoke ID",
    summary: "revoke a key (idempotent; the first revocation time is kept)",
    flags: [],
    arity: 1,
    async run(input) {
      const id = encodeURIComponent(input.args[0] ?? "");
      const data = (await input.client.request("POST", `/admin/keys/${id}/revoke`)) as Row;
      return { data, human: `Revoked key ${data.key_id} at ${data.revoked_at}.` };
    },
  },
  creditCommand("add", "topup"),
  creditCommand("adjust", "adjust"),
  {
    words: ["balance"],
    usage: "balance ID [--tenant T]",
    summary: "show an account's balance (ID: key id; with --tenant: jwt:<subject> or a static key id)",
    flags: ["tenant"],
    arity: 1,
    async run(input) {
      const { path, tenant } = accountPath(input, "balance");
      const data = (await input.client.request("GET", `${path}${query({ tenant })}`)) as Row;
      return { data, human: balanceFields(data) };
    },
  },
  {
    words: ["entries"],
    usage: "entries ID [--limit N] [--before-seq N] [--tenant T]",
    summary: "list an account's ledger entries, newest first",
    flags: ["limit", "before-seq", "tenant"],
    arity: 1,
    async run(input) {
      const { path, tenant } = accountPath(input, "entries");
      const limit = input.flag("limit");
      const before = input.flag("before-seq");
      const q = query({
        tenant,
        limit: limit === undefined ? undefined : String(integerArg("--limit", limit)),
        before_seq: before === undefined ? undefined : String(integerArg("--before-seq", before)),
      });
      const data = await input.client.request("GET", `${path}${q}`);
      return { data, human: entriesTable(rows(data)) };
    },
  },
  {
    words: ["usage"],
    usage: "usage --tenant T [--key ID] [--since ISO|MS] [--limit N]",
    summary: "list a tenant's usage events, newest first",
    flags: ["tenant", "key", "since", "limit"],
    arity: 0,
    async run(input) {
      const limit = input.flag("limit");
      const q = query({
        tenant: required(input, "tenant"),
        key_id: input.flag("key"),
        since: input.flag("since"),
        limit: limit === undefined ? undefined : String(integerArg("--limit", limit)),
      });
      const data = await input.client.request("GET", `/admin/usage${q}`);
      return { data, human: usageTable(rows(data)) };
    },
  },
  {
    words: ["report"],
    usage: "report --tenant T [--interval minute|hour|day] [--from ISO|MS] [--to ISO|MS] [--feature F] [--model M]",
    summary: "cost by feature and model, the five rates (calls per task, fallback, cache hit, retry, p95), task costs",
    flags: ["tenant", "interval", "from", "to", "feature", "model"],
    arity: 0,
    async run(input) {
      const q = query({
        tenant: required(input, "tenant"),
        interval: input.flag("interval") ?? "day",
        from: input.flag("from"),
        to: input.flag("to"),
        feature: input.flag("feature"),
        model: input.flag("model"),
        group_by: "feature,model",
      });
      const data = (await input.client.request("GET", `/admin/analytics${q}`)) as Row;
      return { data, human: reportText(data) };
    },
  },
  {
    words: ["cache", "stats"],
    usage: "cache stats TENANT",
    summary: "show a tenant's response-cache counts (hit/miss/shadow/bypass) and entries",
    flags: [],
    arity: 1,
    async run(input) {
      const tenant = encodeURIComponent(input.args[0] ?? "");
      const data = (await input.client.request("GET", `/admin/tenants/${tenant}/cache/stats`)) as Row;
      return { data, human: cacheStatsFields(data) };
    },
  },
  {
    words: ["cache", "invalidate"],
    usage: "cache invalidate TENANT [--model ALIAS]",
    summary: "drop a tenant's cached answers (all, or one model alias)",
    flags: ["model"],
    arity: 1,
    async run(input) {
      const tenant = encodeURIComponent(input.args[0] ?? "");
      const model = input.flag("model");
      const body = model === undefined ? {} : { model };
      const data = (await input.client.request("POST", `/admin/tenants/${tenant}/cache/invalidate`, body)) as Row;
      return { data, human: `deleted ${String(data.deleted)} cached answer(s)` };
    },
  },
];
