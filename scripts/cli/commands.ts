import { ACCOUNT_COMMANDS } from "./accounts";
import { integerArg, listFlag } from "./args";
import { type Command, query, type Row, required, rows } from "./command";
import { balanceFields, cacheStatsFields, credits, keyFields, keysTable, usageTable } from "./format";
import { reportText } from "./report";

export type { Command } from "./command";

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
  ...ACCOUNT_COMMANDS,
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
