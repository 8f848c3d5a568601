/**
 * Flag parsing shared by the eval and training scripts: a loop over argv that hands each flag to the script's own
 * switch, typed readers for values, and one `--help` / bad-flag answer with the script's usage text.
 */

export class BadFlag extends Error {}

export type ParsedFlags<T> = { ok: true; options: T } | { ok: false; message: string; help: boolean };

/** A number flag's value in [min, max] (an integer when `integer`), else BadFlag. */
export function numberFlag(name: string, raw: string | undefined, min: number, max: number, integer: boolean): number {
  const value = Number(raw);
  const bad = raw === undefined || raw === "" || !Number.isFinite(value) || (integer && !Number.isInteger(value));
  if (bad || value < min || value > max) {
    throw new BadFlag(`${name} needs ${integer ? "an integer" : "a number"} in [${min}, ${max}]`);
  }
  return value;
}

/** A string flag's value (not empty, not the next flag), else BadFlag. */
export function stringFlag(name: string, raw: string | undefined): string {
  if (raw === undefined || raw === "" || raw.startsWith("--")) throw new BadFlag(`${name} needs a value`);
  return raw;
}

/** What one flag does to the options: reads its value with `next()` (if it takes one) and sets a field. */
export type FlagAction<T> = (options: T, flag: string, next: () => string | undefined) => void;

type KeysOf<T, V> = { [K in keyof T]: V extends T[K] ? K : never }[keyof T];

/** A number in [min, max] (an integer when `integer`). */
export const numberInto =
  <T>(key: KeysOf<T, number>, min: number, max: number, integer = false): FlagAction<T> =>
  (o, flag, next) => {
    (o as Record<typeof key, number>)[key] = numberFlag(flag, next(), min, max, integer);
  };

/** A string value; `map` may check or transform it (throw BadFlag to refuse). */
export const stringInto =
  <T>(key: KeysOf<T, string>, map: (value: string) => string = (v) => v): FlagAction<T> =>
  (o, flag, next) => {
    (o as Record<typeof key, string>)[key] = map(stringFlag(flag, next()));
  };

/** A switch without a value. */
export const setInto =
  <T, K extends keyof T>(key: K, value: T[K]): FlagAction<T> =>
  (o) => {
    o[key] = value;
  };

/** Parses `argv` onto `defaults` with a table of flags; `--help`/`-h` answers the usage text. */
export function parseFlags<T>(
  argv: readonly string[],
  usage: string,
  defaults: T,
  flags: Readonly<Record<string, FlagAction<T>>>,
): ParsedFlags<T> {
  const options = defaults;
  try {
    for (let i = 0; i < argv.length; i++) {
      const flag = argv[i] ?? "";
      if (flag === "--help" || flag === "-h") throw new BadFlag("help");
      const action = Object.hasOwn(flags, flag) ? flags[flag] : undefined;
      if (action === undefined) throw new BadFlag(`unknown argument ${flag}`);
      action(options, flag, () => argv[++i]);
    }
  } catch (err) {
    if (!(err instanceof BadFlag)) throw err;
    const help = err.message === "help";
    return { ok: false, help, message: help ? usage : `${err.message}\n${usage}` };
  }
  return { ok: true, options };
}

/** Runs a script's `main`, exiting with its code (1 and the error on a throw). */
export function runScript(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
