import { resolve } from "node:path";
import { ROUTING_DATA_DIR } from "./data";

/** Flags shared by `npm run router:train` and `npm run eval:routing`. */
export interface RoutingOptions {
  dataDir: string;
  cacheDir: string;
  policiesDir: string;
  /** `local-embed` (USE-lite in this process) or `alias:<embeddings alias>` (through a running gateway). */
  embedder: string;
  /** Share of the premium model's accuracy to keep. */
  target: number;
  folds: number;
  seed: number;
  /** Cap on MMLU prompts per subject (a seeded sample); undefined = all. */
  perSubject: number | undefined;
  /** Policy aliases whose prices cost the cheap and the premium call. */
  cheap: string;
  premium: string;
  /** router:train only: where the artifacts go (relative to cwd). */
  out: string;
  verifierOut: string;
  /** router:train only: train the verifier too. */
  verifier: boolean;
}

export const DEFAULT_CACHE_DIR = resolve(import.meta.dirname, "../../bench/.out/eval-routing");

const USAGE =
  "flags: [--data DIR] [--cache-dir DIR] [--policies DIR] [--embedder local-embed|alias:<name>] [--target 0.95] " +
  "[--folds 5] [--seed 1] [--per-subject N] [--cheap small] [--premium large] [--out FILE] [--verifier-out FILE] " +
  "[--no-verifier]";

class BadFlag extends Error {}

export type Parsed = { ok: true; options: RoutingOptions } | { ok: false; message: string; help: boolean };

function num(name: string, raw: string | undefined, min: number, max: number, integer: boolean): number {
  const v = Number(raw);
  if (
    raw === undefined ||
    raw === "" ||
    !Number.isFinite(v) ||
    (integer && !Number.isInteger(v)) ||
    v < min ||
    v > max
  ) {
    throw new BadFlag(`${name} needs ${integer ? "an integer" : "a number"} in [${min}, ${max}]`);
  }
  return v;
}

function str(name: string, raw: string | undefined): string {
  if (raw === undefined || raw === "" || raw.startsWith("--")) throw new BadFlag(`${name} needs a value`);
  return raw;
}

export function parseRoutingOptions(argv: readonly string[], usage: string): Parsed {
  const o: RoutingOptions = {
    dataDir: ROUTING_DATA_DIR,
    cacheDir: DEFAULT_CACHE_DIR,
    policiesDir: "policies",
    embedder: "local-embed",
    target: 0.95,
    folds: 5,
    seed: 1,
    perSubject: undefined,
    cheap: "small",
    premium: "large",
    out: "policies/routers/auto.json",
    verifierOut: "policies/verifiers/gsm8k.json",
    verifier: true,
  };
  try {
    for (let i = 0; i < argv.length; i++) {
      const flag = argv[i];
      const next = () => argv[++i];
      switch (flag) {
        case "--data":
          o.dataDir = resolve(str(flag, next()));
          break;
        case "--cache-dir":
          o.cacheDir = resolve(str(flag, next()));
          break;
        case "--policies":
          o.policiesDir = str(flag, next());
          break;
        case "--embedder": {
          const e = str(flag, next());
          if (e !== "local-embed" && !/^alias:[a-z0-9][a-z0-9._:/-]*$/.test(e)) {
            throw new BadFlag("--embedder must be local-embed or alias:<embeddings alias>");
          }
          o.embedder = e;
          break;
        }
        case "--target":
          o.target = num(flag, next(), 0.5, 1, false);
          break;
        case "--folds":
          o.folds = num(flag, next(), 2, 20, true);
          break;
        case "--seed":
          o.seed = num(flag, next(), 0, 2 ** 31, true);
          break;
        case "--per-subject":
          o.perSubject = num(flag, next(), 2, 100_000, true);
          break;
        case "--cheap":
          o.cheap = str(flag, next());
          break;
        case "--premium":
          o.premium = str(flag, next());
          break;
        case "--out":
          o.out = str(flag, next());
          break;
        case "--verifier-out":
          o.verifierOut = str(flag, next());
          break;
        case "--no-verifier":
          o.verifier = false;
          break;
        case "--help":
        case "-h":
          throw new BadFlag("help");
        default:
          throw new BadFlag(`unknown argument ${flag}`);
      }
    }
  } catch (err) {
    if (!(err instanceof BadFlag)) throw err;
    const help = err.message === "help";
    const text = `${usage}\n${USAGE}`;
    return { ok: false, help, message: help ? text : `${err.message}\n${text}` };
  }
  return { ok: true, options: o };
}
