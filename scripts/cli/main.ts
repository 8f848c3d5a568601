import { runSimulate, SIMULATE_SUMMARY, SIMULATE_USAGE } from "../simulate/main";
import { parseArgs, UsageError } from "./args";
import { ConnectionError, createClient, GatewayCallError } from "./client";
import { COMMANDS, type Command } from "./commands";

export const DEFAULT_URL = "http://127.0.0.1:8787";

export interface CliIo {
  env: Record<string, string | undefined>;
  stdout(text: string): void;
  stderr(text: string): void;
  fetch?: typeof fetch;
}

const GLOBAL_VALUES = ["url", "admin-secret"];
const GLOBAL_BOOLEANS = ["json", "help"];

export function helpText(): string {
  return [
    "Usage: npm run gateway -- <command> [options]",
    "",
    "Admin CLI for the gateway's admin API. Amounts are integer micro-credits (1 credit = 1000000).",
    "",
    "Commands:",
    ...COMMANDS.flatMap((c) => [`  ${c.usage}`, `      ${c.summary}`]),
    `  ${SIMULATE_USAGE}`,
    `      ${SIMULATE_SUMMARY}`,
    "",
    "Options:",
    `  --url URL             gateway base URL (env GATEWAY_URL, default ${DEFAULT_URL})`,
    "  --admin-secret S      admin secret (env GATEWAY_ADMIN_SECRET; prefer the env: flags show up in `ps`)",
    "  --json                print the gateway's JSON instead of text",
    "  -h, --help            this help, or a command's usage with a command",
    "",
    "Exit status: 0 ok, 1 the gateway refused or could not be reached, 2 bad usage.",
  ].join("\n");
}

function findCommand(positionals: string[]): { command: Command; args: string[] } | undefined {
  for (const command of COMMANDS) {
    if (command.words.every((w, i) => positionals[i] === w)) {
      return { command, args: positionals.slice(command.words.length) };
    }
  }
  return undefined;
}

function baseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`not a URL: ${value}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`not an http(s) URL: ${value}`);
  return url.href.replace(/\/+$/, "");
}

/** Runs one CLI invocation; returns the exit status. Never prints the admin secret. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  // Offline: reads files, never the gateway, so it takes no URL or admin secret.
  if (argv[0] === "simulate") return runSimulate(argv.slice(1), io);
  let secret: string | undefined;
  const redact = (text: string) => (secret ? text.replaceAll(secret, "***") : text);
  try {
    const values = new Set([...GLOBAL_VALUES, ...COMMANDS.flatMap((c) => c.flags)]);
    const parsed = parseArgs(argv, { values, booleans: new Set(GLOBAL_BOOLEANS) });
    const found = findCommand(parsed.positionals);
    if (parsed.flags.has("help")) {
      io.stdout(found ? `Usage: npm run gateway -- ${found.command.usage}\n\n${found.command.summary}` : helpText());
      return 0;
    }
    if (found === undefined) {
      if (parsed.positionals.length === 0) {
        io.stderr(helpText());
        return 2;
      }
      throw new UsageError(`unknown command: ${parsed.positionals.join(" ")}`);
    }
    const { command, args } = found;
    const allowed = new Set([...GLOBAL_VALUES, ...GLOBAL_BOOLEANS, ...command.flags]);
    for (const name of parsed.flags.keys()) {
      if (!allowed.has(name)) throw new UsageError(`${command.words.join(" ")} does not take --${name}`);
    }
    if (args.length !== command.arity) {
      throw new UsageError(`expected ${command.arity} argument(s), got ${args.length}: ${command.usage}`);
    }
    const value = (name: string) => {
      const v = parsed.flags.get(name);
      return typeof v === "string" ? v : undefined;
    };
    const url = baseUrl(value("url") ?? io.env.GATEWAY_URL ?? DEFAULT_URL);
    secret = value("admin-secret") ?? io.env.GATEWAY_ADMIN_SECRET;
    if (secret === undefined || secret === "") {
      throw new UsageError("no admin secret: set GATEWAY_ADMIN_SECRET (or pass --admin-secret)");
    }
    const client = createClient(url, secret, io.fetch);
    const out = await command.run({ args, flag: value, client, env: io.env });
    io.stdout(parsed.flags.has("json") ? JSON.stringify(out.data, null, 2) : out.human);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(redact(`error: ${err.message}\nRun with --help for usage.`));
      return 2;
    }
    if (err instanceof GatewayCallError) {
      const details = [
        err.param === null ? undefined : `param: ${err.param}`,
        `HTTP ${err.status}`,
        err.requestId === null ? undefined : `request id: ${err.requestId}`,
      ].filter((s) => s !== undefined);
      io.stderr(redact(`error: ${err.code}: ${err.message}\n(${details.join(", ")})`));
      return 1;
    }
    if (err instanceof ConnectionError) {
      io.stderr(redact(`error: ${err.message}`));
      return 1;
    }
    throw err;
  }
}
