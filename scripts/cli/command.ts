import { UsageError } from "./args";
import type { AdminClient } from "./client";

/** The shape of one CLI command, and the small helpers the command files share. */

export type Row = Record<string, unknown>;

export interface CommandInput {
  /** Positionals after the command words. */
  args: string[];
  flag(name: string): string | undefined;
  client: AdminClient;
  env: Record<string, string | undefined>;
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

/** The `data` array of a list answer. */
export function rows(data: unknown): Row[] {
  const list = (data as { data?: unknown }).data;
  return Array.isArray(list) ? (list as Row[]) : [];
}

export function required(input: CommandInput, name: string): string {
  const value = input.flag(name);
  if (value === undefined || value === "") throw new UsageError(`--${name} is required`);
  return value;
}

export function query(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, v);
  const text = q.toString();
  return text === "" ? "" : `?${text}`;
}
