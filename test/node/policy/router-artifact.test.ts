import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compilePolicy, formatPolicyError } from "../../../src/policy/compile";
import { BASE, edit, expectCompiled, REPO_ROOT, sha256 } from "./helpers";

/** The shipped router artifact, edited per case: the policy build must refuse every broken variant. */
const ROUTER = JSON.parse(readFileSync(path.join(REPO_ROOT, "policies/routers/auto.json"), "utf8")) as Record<
  string,
  unknown
> & { model: { weights: number[]; projection?: number[][] }; embedder: { model: string; dims: number } };
const VERIFIER = readFileSync(path.join(REPO_ROOT, "policies/verifiers/gsm8k.json"), "utf8");

const ROUTED = edit(
  "routes.yaml",
  "    timeouts:",
  `    cache:
      embedder: { model: embed }
    router:
      artifact: routers/auto.json
      verifier: verifiers/gsm8k.json
      tiers: { cheap: small, premium: large }
    timeouts:`,
);

function compileWith(files: Record<string, string>, artifacts: Record<string, string>) {
  return compilePolicy(
    Object.entries(files).map(([name, text]) => ({ name: `policies/${name}`, text })),
    sha256,
    Object.entries(artifacts).map(([p, text]) => ({ path: p, name: `policies/${p}`, text })),
  );
}

const good = { "routers/auto.json": JSON.stringify(ROUTER), "verifiers/gsm8k.json": VERIFIER };

function errorsOf(result: ReturnType<typeof compileWith>): string[] {
  if (result.ok) throw new Error("expected the policy to fail");
  return result.errors.map(formatPolicyError);
}

describe("router artifacts in the policy build", () => {
  it("bundles a valid artifact and hashes its content into the version", () => {
    const policy = expectCompiled(compileWith(ROUTED, good));
    expect(policy.routes.auto?.router).toEqual({
      artifact: "routers/auto.json",
      verifier: "verifiers/gsm8k.json",
      tiers: { cheap: "small", premium: "large" },
      mode: "on",
      without_embedding: "premium",
    });
    expect(policy.artifacts?.["routers/auto.json"]?.kind).toBe("router");
    expect(policy.artifacts?.["verifiers/gsm8k.json"]?.kind).toBe("verifier");
    expect(policy.sources).toContain("policies/routers/auto.json");
    const retrained = { ...good, "routers/auto.json": JSON.stringify({ ...ROUTER, threshold: 0.5 }) };
    expect(expectCompiled(compileWith(ROUTED, retrained)).version).not.toBe(policy.version);
    // An artifact no route names changes nothing.
    const extra = { ...good, "routers/unused.json": "{}" };
    expect(expectCompiled(compileWith(ROUTED, extra)).version).toBe(policy.version);
  });

  const wrongDims = { ...ROUTER, embedder: { ...ROUTER.embedder, dims: 384 } };
  const shortWeights = { ...ROUTER, model: { ...ROUTER.model, weights: ROUTER.model.weights.slice(1) } };
  const unknownFeature = { ...ROUTER, features: { embedding: true, lexical: ["log_tokens", "vibes"] } };
  const verifier = JSON.parse(VERIFIER) as { features: { embedding: boolean; answer: string[] } };
  const verifierWith = (answer: string[]) =>
    JSON.stringify({ ...verifier, features: { ...verifier.features, answer } });
  // The Worker computes the artifact's named features, in its order: a name it does not know, or a list of
  // another length than the weights (a verifier trained with other features), fails the build.
  const unknownAnswerFeature = verifierWith([...verifier.features.answer.slice(1), "vibes"]);
  const fewerAnswerFeatures = verifierWith(verifier.features.answer.slice(1));
  describe.each([
    [
      "missing file",
      ROUTED,
      { "verifiers/gsm8k.json": VERIFIER },
      /routes\.auto\.router\.artifact: no file "routers\/auto\.json"/,
    ],
    ["not JSON", ROUTED, { ...good, "routers/auto.json": "{" }, /policies\/routers\/auto\.json: not JSON/],
    [
      "dims unlike the projection",
      ROUTED,
      { ...good, "routers/auto.json": JSON.stringify(wrongDims) },
      /policies\/routers\/auto\.json: model\.projection\[0\]: has 512 numbers, embedder\.dims is 384/,
    ],
    [
      "weights too short",
      ROUTED,
      { ...good, "routers/auto.json": JSON.stringify(shortWeights) },
      /model\.weights: has \d+ numbers, the features need \d+/,
    ],
    [
      "unknown feature",
      ROUTED,
      { ...good, "routers/auto.json": JSON.stringify(unknownFeature) },
      /policies\/routers\/auto\.json: features\.lexical\.1: /,
    ],
    [
      "verifier feature the Worker does not compute",
      ROUTED,
      { ...good, "verifiers/gsm8k.json": unknownAnswerFeature },
      /policies\/verifiers\/gsm8k\.json: features\.answer\.\d+: /,
    ],
    [
      "verifier feature list unlike its weights",
      ROUTED,
      { ...good, "verifiers/gsm8k.json": fewerAnswerFeatures },
      /policies\/verifiers\/gsm8k\.json: model\.weights: has \d+ numbers, the features need \d+/,
    ],
    [
      "a verifier where a router belongs",
      edit("routes.yaml", "artifact: routers/auto.json", "artifact: verifiers/gsm8k.json", ROUTED),
      good,
      /kind: Invalid input: expected "router"/,
    ],
    [
      "another embedder",
      edit("models.yaml", "model: local-embed", "model: bge-small", ROUTED),
      good,
      /trained on embeddings of "local-embed" \(512-d\), but the route's cache\.embedder is \{ model: embed \} \(serving "bge-small"\)/,
    ],
    [
      "no embedder at all",
      edit("routes.yaml", "    cache:\n      embedder: { model: embed }\n", "", ROUTED),
      good,
      /cache\.embedder is none/,
    ],
    [
      "tier outside the route",
      edit("routes.yaml", "premium: large }", "premium: huge }", ROUTED),
      good,
      /router\.tiers\.premium: "huge" is not in this route's models/,
    ],
  ])("%s", (_name, files, artifacts, message) => {
    it("fails the build naming the file and the problem", () => {
      expect(errorsOf(compileWith(files, artifacts)).join("\n")).toMatch(message);
    });
  });

  it("still compiles a policy without a router exactly as before", () => {
    expect(expectCompiled(compileWith(BASE, good)).artifacts).toBeUndefined();
  });
});
