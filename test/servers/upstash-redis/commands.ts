/** Request bodies of the Upstash REST protocol to Redis argument lists, and the commands REST cannot carry. */

export type Command = readonly string[];
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * These would change the state of the shared Redis connection (transactions, pub/sub, auth, db), end it, or stop the
 * server. Upstash REST refuses them as raw commands too; transactions go through `/multi-exec`.
 */
const REFUSED = new Set([
  "multi",
  "exec",
  "discard",
  "watch",
  "unwatch",
  "subscribe",
  "psubscribe",
  "ssubscribe",
  "unsubscribe",
  "punsubscribe",
  "sunsubscribe",
  "monitor",
  "quit",
  "reset",
  "hello",
  "auth",
  "select",
  "sync",
  "psync",
  "shutdown",
  "client",
]);

const BLOCKING = new Set([
  "blpop",
  "brpop",
  "brpoplpush",
  "blmove",
  "blmpop",
  "bzpopmin",
  "bzpopmax",
  "bzmpop",
  "wait",
  "waitaof",
]);

/** A command that can hold its connection for a while; it gets a connection of its own so others are not stuck. */
export function isBlocking(command: Command): boolean {
  const name = (command[0] ?? "").toLowerCase();
  if (BLOCKING.has(name)) return true;
  return (name === "xread" || name === "xreadgroup") && command.some((arg) => arg.toLowerCase() === "block");
}

/** A JSON array of strings and numbers; numbers (and booleans) go to Redis as their decimal text. */
export function parseCommand(body: unknown): Parsed<Command> {
  if (!Array.isArray(body) || body.length === 0) {
    return { ok: false, error: "ERR failed to parse command: expected a non-empty JSON array" };
  }
  const args: string[] = [];
  for (const item of body) {
    if (typeof item === "string") args.push(item);
    else if ((typeof item === "number" && Number.isFinite(item)) || typeof item === "boolean") args.push(String(item));
    else return { ok: false, error: "ERR failed to parse command: arguments must be strings or numbers" };
  }
  const name = (args[0] ?? "").toLowerCase();
  if (REFUSED.has(name)) return { ok: false, error: `ERR Command is not available over REST: '${name}'` };
  return { ok: true, value: args };
}

/** A JSON array of commands, each checked as in `parseCommand`; the first bad one rejects the whole request. */
export function parseCommands(body: unknown): Parsed<Command[]> {
  if (!Array.isArray(body) || body.length === 0) {
    return { ok: false, error: "ERR failed to parse pipeline request: expected a non-empty array of commands" };
  }
  const commands: Command[] = [];
  for (const item of body) {
    const parsed = parseCommand(item);
    if (!parsed.ok) return parsed;
    commands.push(parsed.value);
  }
  return { ok: true, value: commands };
}
