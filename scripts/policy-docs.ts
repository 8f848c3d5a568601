/**
 * Generates docs/policy-reference.md from the policy schema's descriptions, so the reference cannot drift from what
 * the build accepts. The example and the sample errors are compiled here too: if they stop compiling (or start),
 * this script fails instead of publishing a wrong page.
 *
 *   tsx scripts/policy-docs.ts           write docs/policy-reference.md
 *   tsx scripts/policy-docs.ts --check   exit 1 if the committed page is out of date
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { z } from "zod";
import { compilePolicy, formatPolicyError } from "../src/policy/compile";
import { PolicyFileSchema } from "../src/policy/schema";
import { ALIAS_PATTERN, ID_PATTERN } from "../src/policy/schema-fields";

const OUT = "docs/policy-reference.md";

interface JsonSchema {
  type?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  exclusiveMinimum?: number;
  maximum?: number;
  minItems?: number;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  propertyNames?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
}

const PATTERN_NAMES: Record<string, string> = {
  [ID_PATTERN.source]: "id",
  [ALIAS_PATTERN.source]: "alias",
  "^[A-Z][A-Z0-9_]*$": "secret name",
  "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$": "header name",
};

const code = (value: unknown) => `\`${typeof value === "string" ? value : JSON.stringify(value)}\``;
const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");

function nonNull(schema: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  const options = schema.anyOf ?? [];
  const inner = options.find((s) => s.type !== "null");
  if (inner !== undefined && options.some((s) => s.type === "null")) return { schema: inner, nullable: true };
  return { schema, nullable: false };
}

function typeName(raw: JsonSchema): string {
  const { schema, nullable } = nonNull(raw);
  const orNull = nullable ? " or `null`" : "";
  if (schema.enum) return `one of ${schema.enum.map(code).join(", ")}${orNull}`;
  switch (schema.type) {
    case "string":
      return `${(schema.pattern && PATTERN_NAMES[schema.pattern]) ?? "string"}${orNull}`;
    case "integer": {
      const max = schema.maximum !== undefined && schema.maximum < Number.MAX_SAFE_INTEGER ? schema.maximum : undefined;
      const range =
        max === undefined
          ? schema.minimum === undefined
            ? ""
            : ` ≥ ${schema.minimum}`
          : ` ${schema.minimum ?? ""}–${max}`;
      return `integer${range}${orNull}`;
    }
    case "number": {
      const low =
        schema.exclusiveMinimum !== undefined
          ? `> ${schema.exclusiveMinimum}`
          : schema.minimum !== undefined
            ? `≥ ${schema.minimum}`
            : "";
      const high = schema.maximum !== undefined ? `≤ ${schema.maximum}` : "";
      const range = [low, high].filter((part) => part !== "").join(", ");
      return `number${range === "" ? "" : ` ${range}`}${orNull}`;
    }
    case "boolean":
      return `boolean${orNull}`;
    case "array": {
      const item = schema.items === undefined ? "values" : typeName(schema.items);
      return `${schema.minItems ? "non-empty " : ""}list of ${item}${orNull}`;
    }
    case "object":
      if (schema.properties) return `object${orNull}`;
      if (typeof schema.additionalProperties === "object") {
        const key = schema.propertyNames ? typeName(schema.propertyNames) : "string";
        return `map of ${key} → ${typeName(schema.additionalProperties)}${orNull}`;
      }
      return `object${orNull}`;
    default:
      return `value${orNull}`;
  }
}

/** One table row per field, nested objects and lists of objects flattened into dotted names. */
function rows(schema: JsonSchema, prefix: string, out: string[]): void {
  const required = new Set(schema.required ?? []);
  for (const [name, raw] of Object.entries(schema.properties ?? {})) {
    const field = `${prefix}${name}`;
    const { schema: inner } = nonNull(raw);
    const isObject = inner.type === "object" && inner.properties !== undefined;
    const hasDefault = raw.default !== undefined && !(isObject && JSON.stringify(raw.default) === "{}");
    const presence = required.has(name) ? "**required**" : hasDefault ? `default ${code(raw.default)}` : "optional";
    out.push(
      `| ${code(field)} | ${cell(typeName(raw))} | ${presence} | ${cell(raw.description ?? inner.description ?? "")} |`,
    );
    if (isObject) rows(inner, `${field}.`, out);
    if (inner.type === "array" && inner.items?.properties) rows(inner.items, `${field}[].`, out);
  }
}

function sectionDocs(name: string, raw: JsonSchema): string {
  const { schema } = nonNull(raw);
  const entry = typeof schema.additionalProperties === "object" ? schema.additionalProperties : {};
  const key = schema.propertyNames ? typeName(schema.propertyNames) : "string";
  const keys = key === "alias" ? "aliases" : `${key}s`;
  const table = ["| field | type | | description |", "|---|---|---|---|"];
  rows(entry, "", table);
  return [
    `## \`${name}\``,
    "",
    raw.description ?? "",
    "",
    `${entry.description ?? ""} Keys are ${keys}.`,
    "",
    ...table,
    "",
  ].join("\n");
}

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

const EXAMPLE = `# policies/example.yaml — one file may hold every section; usually they are split by topic.
providers:
  local-origin:                 # your GPU cluster (vLLM); address from a Worker var or secret
    type: vllm
    base_url: "\${LOCAL_ORIGIN_URL}"
  openai:                       # hosted: address and secret name (OPENAI_API_KEY) default from the type
    type: openai

models:
  small:                        # what callers write in "model"
    targets:
      - { provider: local-origin, model: local-small }   # tried first
      - { provider: openai, model: gpt-4o-mini }         # failover
    context_window: 32768
    max_output_tokens: 4096
    price: { input_per_mtok: 50000, output_per_mtok: 100000 }   # micro-credits per million tokens
  large:
    targets: [{ provider: local-origin, model: local-large }]
    context_window: 131072
    max_output_tokens: 8192
    price: { input_per_mtok: 400000, output_per_mtok: 1200000 }

routes:
  auto:                         # callers may also write "model": "auto"
    models: [small, large]
    rules:                      # first match wins; otherwise default_model (here: small, the first)
      - when: { min_prompt_tokens: 2000 }
        use: large
      - when: { task_types: [reasoning, code] }
        use: large
    model_fallbacks: { small: [large] }
    timeouts: { attempt_ms: 20000, deadline_ms: 45000 }   # everything not written keeps its default

plans:
  free: { routes: [auto] }

tenants:
  acme: { plan: free }
`;

const BROKEN = `providers:
  openai: { type: openai }
models:
  small:
    targets: [{ provider: opnai, model: gpt-4o-mini, priorty: 0 }]
    context_window: 8192
    price: { input_per_mtok: 0.5, output_per_mtok: 2 }
`;

function render(): string {
  const example = compilePolicy([{ name: "policies/example.yaml", text: EXAMPLE }], sha256);
  if (!example.ok)
    throw new Error(`the docs example does not compile:\n${example.errors.map(formatPolicyError).join("\n")}`);
  // Two passes show both stages: schema errors first, then (once those are fixed) reference errors.
  const schemaStage = compilePolicy([{ name: "policies/models.yaml", text: BROKEN }], sha256);
  const fixed = BROKEN.replace(", priorty: 0", "").replace("0.5", "500000");
  const referenceStage = compilePolicy([{ name: "policies/models.yaml", text: fixed }], sha256);
  if (schemaStage.ok || referenceStage.ok) throw new Error("the docs' broken example compiled");
  const errorLines = [...schemaStage.errors, ...referenceStage.errors].map(formatPolicyError);

  const json = z.toJSONSchema(PolicyFileSchema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  const sections = Object.entries(json.properties ?? {}).map(([name, schema]) => sectionDocs(name, schema));

  return `<!-- Generated by \`npm run policy:docs\` from src/policy/schema.ts. Do not edit by hand. -->
# Policy reference

Policies are YAML files in \`policies/\`, owned by admins. At build time (\`npm run policy:build\`, which
\`wrangler dev\` and \`wrangler deploy\` run first) every \`*.yaml\` / \`*.yml\` file is parsed, validated against the
schema below, merged, cross-checked and compiled into one JSON module bundled into the Worker. Nothing is read at
request time, so a policy change is a deploy.

- **Merging.** Each file may hold any of the sections \`providers\`, \`models\`, \`routes\`, \`plans\`, \`tenants\`, \`tools\`.
  Ids must be unique across all files (a duplicate names both files). Other top-level keys are errors.
- **Names.** Ids (providers, routes, plans, tenants) are 1–64 lower-case letters, digits, \`.\`, \`_\` or \`-\`,
  starting with a letter or digit. Model aliases may also contain \`/\` and \`:\` (\`meta/llama-3.1:8b\`).
- **Strict.** Unknown keys are errors, with a "did you mean" hint, so a typo cannot silently fall back to a default.
- **References.** Every target's provider, every route's models, every rule's and fallback's alias, every plan's
  routes and every tenant's plan and routes must exist. Rules and route defaults pick chat models, never embeddings
  models. Route names and model aliases share one namespace (a request's \`model\` may name either).
- **Version.** The policy version is \`sha256:\` + 16 hex digits over the file names and contents. It is returned in
  a response header and recorded with every usage event.
- **Placeholders.** \`base_url\` and header values may contain \`\${NAME}\` placeholders, filled from Worker vars and
  secrets at request time. Credentials never go in policy files; \`api_key_secret\` names the secret that holds one.
- **Whole numbers.** Prices are whole micro-credits per million tokens; fractions are refused.

\`npm run policy:check\` validates without writing. Errors read \`file:line: path: problem\`, for example:

\`\`\`text
${errorLines.join("\n")}
\`\`\`

## Annotated example

\`\`\`yaml
${EXAMPLE}\`\`\`

The example policies in \`policies/\` are a fuller, commented starting point.

${sections.join("\n")}`;
}

function main(): void {
  const page = render();
  if (process.argv.includes("--check")) {
    let current = "";
    try {
      current = readFileSync(OUT, "utf8");
    } catch {
      current = "";
    }
    if (current !== page) {
      console.error(`${OUT} is out of date: run npm run policy:docs`);
      process.exit(1);
    }
    console.log(`${OUT} is up to date`);
    return;
  }
  writeFileSync(OUT, page);
  console.log(`wrote ${OUT}`);
}

main();
