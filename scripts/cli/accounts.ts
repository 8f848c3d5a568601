import { integerArg, UsageError } from "./args";
import { GatewayCallError } from "./client";
import { type Command, type CommandInput, query, type Row, required, rows } from "./command";
import { balanceFields, credits, entriesTable } from "./format";

/**
 * Commands on one credit account. ID is a store-backed key id (`/admin/keys/ID/…`: the tenant is the key's), or an
 * account that needs its tenant named (`/admin/accounts/ID/…?tenant=T`): a static key, or `jwt:<subject>`. The one
 * exception is `npm start`'s dev account, `local-dev`, whose tenant the CLI knows (GATEWAY_DEV_TENANT, default acme).
 */

export const DEV_ACCOUNT = "local-dev";

type Send<T> = (path: string, tenant: string | undefined) => Promise<T>;

/** Sends to the account's path: with --tenant the account path; else the key's (or, for local-dev, the dev tenant's). */
async function onAccount<T>(input: CommandInput, send: Send<T>): Promise<T> {
  const id = input.args[0] ?? "";
  const named = input.flag("tenant");
  const account = `/admin/accounts/${encodeURIComponent(id)}`;
  if (named !== undefined) return send(account, named);
  if (id.startsWith("jwt:")) {
    throw new UsageError(`${id} is a JWT subject's account, which exists once per tenant: add --tenant T`);
  }
  if (id === DEV_ACCOUNT) return send(account, input.env.GATEWAY_DEV_TENANT ?? "acme");
  try {
    return await send(`/admin/keys/${encodeURIComponent(id)}`, undefined);
  } catch (err) {
    if (!(err instanceof GatewayCallError) || err.code !== "not_found" || err.param !== "id") throw err;
    const message = `${err.message} A static key's or a jwt:<subject> account needs --tenant T.`;
    throw new GatewayCallError(err.status, err.code, message, err.param, err.requestId);
  }
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
      const what = type === "topup" ? "Top-up" : "Adjustment";
      return onAccount(input, async (path, tenant) => {
        const body: Row = { amount, reference, type };
        if (tenant !== undefined) body.tenant = tenant;
        const data = (await input.client.request("POST", `${path}/credits`, body)) as Row;
        // `applied: false`: the reference was used before, so the ledger changed nothing this time.
        const said =
          data.applied === false
            ? `Already applied: reference ${reference} was used before on ${data.account_id}; nothing changed.`
            : `${what} of ${credits(amount)} credits recorded for ${data.account_id} under reference ${reference}.`;
        return { data, human: `${said}\n${balanceFields(data)}` };
      });
    },
  };
}

export const ACCOUNT_COMMANDS: Command[] = [
  creditCommand("add", "topup"),
  creditCommand("adjust", "adjust"),
  {
    words: ["balance"],
    usage: "balance ID [--tenant T]",
    summary:
      "show an account's balance (ID: a key id; a static key id or jwt:<subject> with --tenant; local-dev: npm start's)",
    flags: ["tenant"],
    arity: 1,
    async run(input) {
      const data = await onAccount(input, (path, tenant) =>
        input.client.request("GET", `${path}/balance${query({ tenant })}`),
      );
      return { data, human: balanceFields(data as Row) };
    },
  },
  {
    words: ["entries"],
    usage: "entries ID [--limit N] [--before-seq N] [--tenant T]",
    summary: "list an account's ledger entries, newest first",
    flags: ["limit", "before-seq", "tenant"],
    arity: 1,
    async run(input) {
      const limit = input.flag("limit");
      const before = input.flag("before-seq");
      const data = await onAccount(input, (path, tenant) => {
        const q = query({
          tenant,
          limit: limit === undefined ? undefined : String(integerArg("--limit", limit)),
          before_seq: before === undefined ? undefined : String(integerArg("--before-seq", before)),
        });
        return input.client.request("GET", `${path}/entries${q}`);
      });
      return { data, human: entriesTable(rows(data)) };
    },
  },
];
