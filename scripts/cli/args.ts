/**
 * A small argument parser for the admin CLI. Not `node:util` parseArgs: that reads `-500` (a negative credit
 * adjustment) as an unknown short option, and amounts must pass through as positionals.
 */

export class UsageError extends Error {
  override name = "UsageError";
}

export interface ParsedArgs {
  positionals: string[];
  /** Flag name (without dashes) -> value; boolean flags map to `true`. */
  flags: Map<string, string | true>;
}

export interface FlagSpec {
  /** Flags that take a value (`--name value` or `--name=value`). */
  values: ReadonlySet<string>;
  /** Flags that take none. */
  booleans: ReadonlySet<string>;
}

export function parseArgs(argv: readonly string[], spec: FlagSpec): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] ?? "";
    if (token === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (token === "-h") {
      flags.set("help", true);
      continue;
    }
    if (!token.startsWith("--") || token === "--") {
      positionals.push(token);
      continue;
    }
    const eq = token.indexOf("=");
    const name = token.slice(2, eq === -1 ? undefined : eq);
    if (spec.booleans.has(name)) {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      flags.set(name, true);
    } else if (spec.values.has(name)) {
      const value = eq === -1 ? argv[++i] : token.slice(eq + 1);
      if (value === undefined || (eq === -1 && value.startsWith("--"))) throw new UsageError(`--${name} needs a value`);
      flags.set(name, value);
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return { positionals, flags };
}

/** Comma-separated list flag (`--routes a,b`), blanks dropped. */
export function listFlag(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** An integer (micro-credits, counts); `_` separators allowed for readability (`1_000_000`). */
export function integerArg(name: string, value: string | undefined): number {
  const text = (value ?? "").replaceAll("_", "");
  if (!/^-?\d{1,16}$/.test(text))
    throw new UsageError(`${name} must be an integer, got ${JSON.stringify(value ?? "")}`);
  return Number(text);
}
