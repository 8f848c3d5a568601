import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { type ArtifactSourceFile, type CompileResult, compilePolicy } from "../../../src/policy/compile";
import type { CompiledPolicy } from "../../../src/policy/types";

export const REPO_ROOT = path.resolve(import.meta.dirname, "../../..");

export const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/** `{ "a.yaml": "..." }` -> compile result, files named `policies/<name>` as the build script would. */
export function compileTexts(files: Record<string, string>): CompileResult {
  return compilePolicy(
    Object.entries(files).map(([name, text]) => ({ name: `policies/${name}`, text })),
    sha256,
  );
}

/** Every YAML file of a repo directory, named relative to the repo root. */
export function readPolicyDir(dir: string): { name: string; text: string }[] {
  return readdirSync(path.join(REPO_ROOT, dir))
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => ({ name: `${dir}/${name}`, text: readFileSync(path.join(REPO_ROOT, dir, name), "utf8") }));
}

/** Every `*.json` artifact below a repo policy directory, as scripts/policy-build.ts hands them to the compiler. */
export function readArtifactDir(dir: string): ArtifactSourceFile[] {
  const root = path.join(REPO_ROOT, dir);
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".json"))
    .map((e) => path.join(e.parentPath, e.name))
    .sort()
    .map((file) => {
      const rel = path.relative(root, file).split(path.sep).join("/");
      return { path: rel, name: `${dir}/${rel}`, text: readFileSync(file, "utf8") };
    });
}

export function expectCompiled(result: CompileResult): CompiledPolicy {
  if (!result.ok) throw new Error(`expected the policy to compile:\n${JSON.stringify(result.errors, null, 2)}`);
  return result.policy;
}

/** A small valid policy in three files; invalid cases edit one of them. */
export const BASE: Record<string, string> = {
  "providers.yaml": `providers:
  local:
    type: vllm
    base_url: "\${LOCAL_URL}"
  openai:
    type: openai
`,
  "models.yaml": `models:
  small:
    targets:
      - provider: local
        model: local-small
    context_window: 8192
    max_output_tokens: 1024
    price:
      input_per_mtok: 100
      output_per_mtok: 200
  large:
    targets:
      - provider: openai
        model: gpt-4o
    context_window: 128000
    price:
      input_per_mtok: 1000
      output_per_mtok: 2000
  embed:
    kind: embeddings
    targets:
      - provider: local
        model: local-embed
    context_window: 8192
`,
  "routes.yaml": `routes:
  auto:
    models: [small, large, embed]
    rules:
      - when:
          min_prompt_tokens: 2000
        use: large
    model_fallbacks:
      small: [large]
    timeouts:
      attempt_ms: 1000
      deadline_ms: 5000
plans:
  free:
    routes: [auto]
tenants:
  acme:
    plan: free
`,
};

/** BASE with `from` replaced by `to` in one file (the replacement must happen, or the test is meaningless). */
export function edit(file: string, from: string, to: string, base: Record<string, string> = BASE) {
  const text = base[file];
  if (text === undefined || !text.includes(from)) throw new Error(`${file} does not contain ${JSON.stringify(from)}`);
  return { ...base, [file]: text.replace(from, to) };
}
