import { resolve } from "node:path";
import { BadFlag, type FlagAction, numberInto, type ParsedFlags, parseFlags, setInto, stringInto } from "../flags";
import { type LoadedOutcomes, loadOutcomes, ROUTING_DATA_DIR } from "./data";

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
  /** eval:routing only: fill the embedding cache and stop (a resumable background run). */
  embedOnly: boolean;
  /** eval:routing only: measure GSM8K alone (needs only GSM8K's 660 embeddings). */
  gsm8kOnly: boolean;
}

export const DEFAULT_CACHE_DIR = resolve(import.meta.dirname, "../../bench/.out/eval-routing");

const USAGE =
  "flags: [--data DIR] [--cache-dir DIR] [--policies DIR] [--embedder local-embed|alias:<name>] [--target 0.95] " +
  "[--folds 5] [--seed 1] [--per-subject N] [--cheap small] [--premium large] [--out FILE] [--verifier-out FILE] " +
  "[--no-verifier] [--embed-only] [--gsm8k-only]";

export type Parsed = ParsedFlags<RoutingOptions>;

const EMBEDDER = /^alias:[a-z0-9][a-z0-9._:/-]*$/;

const FLAGS: Record<string, FlagAction<RoutingOptions>> = {
  "--data": stringInto("dataDir", resolve),
  "--cache-dir": stringInto("cacheDir", resolve),
  "--policies": stringInto("policiesDir"),
  "--embedder": stringInto("embedder", (e) => {
    if (e === "local-embed" || EMBEDDER.test(e)) return e;
    throw new BadFlag("--embedder must be local-embed or alias:<embeddings alias>");
  }),
  "--target": numberInto("target", 0.5, 1),
  "--folds": numberInto("folds", 2, 20, true),
  "--seed": numberInto("seed", 0, 2 ** 31, true),
  "--per-subject": numberInto("perSubject", 2, 100_000, true),
  "--cheap": stringInto("cheap"),
  "--premium": stringInto("premium"),
  "--out": stringInto("out"),
  "--verifier-out": stringInto("verifierOut"),
  "--no-verifier": setInto("verifier", false),
  "--embed-only": setInto("embedOnly", true),
  "--gsm8k-only": setInto("gsm8kOnly", true),
};

export function parseRoutingOptions(argv: readonly string[], usage: string): Parsed {
  const defaults: RoutingOptions = {
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
    embedOnly: false,
    gsm8kOnly: false,
  };
  return parseFlags(argv, `${usage}\n${USAGE}`, defaults, FLAGS);
}

export type ScriptSetup =
  | { ok: true; options: RoutingOptions; data: Extract<LoadedOutcomes, { ok: true }> }
  | { ok: false; code: number };

/**
 * The start both routing scripts share: flags (help → exit 0, a bad flag → exit 2 with the usage), then the
 * labelled data (absent → a clear skip, exit 0).
 */
export function scriptSetup(argv: readonly string[], script: string, npmScript: string): ScriptSetup {
  const parsed = parseRoutingOptions(argv, `usage: npm run ${npmScript} -- [flags]`);
  if (!parsed.ok) {
    (parsed.help ? console.log : console.error)(parsed.message);
    return { ok: false, code: parsed.help ? 0 : 2 };
  }
  const data = loadOutcomes(parsed.options.dataDir);
  if (!data.ok) {
    console.log(`${script}: evaluation data not found (${data.missing.join(", ")}); skipping.`);
    return { ok: false, code: 0 };
  }
  return { ok: true, options: parsed.options, data };
}
