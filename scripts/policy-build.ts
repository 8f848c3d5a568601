/**
 * Compiles the admin-owned policy files into the JSON module the Worker bundles.
 *
 *   tsx scripts/policy-build.ts                       policies/*.y{a,}ml -> src/policy/generated/policy.json
 *   tsx scripts/policy-build.ts --dir D --out F       another set (integration tests use test/fixtures/policies)
 *   tsx scripts/policy-build.ts --check               validate only, write nothing
 *
 * Exit 0 on success; on any problem, prints one `file:line: path: message` per error to stderr and exits 1 without
 * touching the output, so `wrangler deploy` stops before uploading a broken policy.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { compilePolicy, formatPolicyError } from "../src/policy/compile";
import { artifactFiles, displayName } from "./policy-sources";

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

function fail(lines: string[]): never {
  for (const line of lines) console.error(line);
  process.exit(1);
}

function main(): void {
  const { values } = parseArgs({
    options: {
      dir: { type: "string", default: "policies" },
      out: { type: "string", default: "src/policy/generated/policy.json" },
      check: { type: "boolean", default: false },
    },
    strict: true,
  });
  const dir = values.dir;

  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
      .map((e) => e.name)
      .sort();
  } catch (error) {
    fail([`policy: cannot read directory ${dir}: ${(error as Error).message}`]);
  }
  if (names.length === 0) fail([`policy: no *.yaml or *.yml files in ${dir}`]);

  const files = names.map((name) => {
    const file = path.join(dir, name);
    return { name: displayName(file), text: readFileSync(file, "utf8") };
  });
  const result = compilePolicy(files, sha256, artifactFiles(dir));
  if (!result.ok) {
    const count = result.errors.length;
    fail([...result.errors.map(formatPolicyError), `policy: ${count} error${count === 1 ? "" : "s"}, nothing written`]);
  }

  const { policy } = result;
  const summary =
    `policy ${policy.version}: ${files.length} files, ${Object.keys(policy.providers).length} providers, ` +
    `${Object.keys(policy.models).length} models, ${Object.keys(policy.routes).length} routes, ` +
    `${Object.keys(policy.tenants).length} tenants`;
  if (values.check) {
    console.log(`${summary} (check only, nothing written)`);
    return;
  }

  const out = values.out;
  const json = `${JSON.stringify(policy, null, 2)}\n`;
  let previous: string | undefined;
  try {
    previous = readFileSync(out, "utf8");
  } catch {
    previous = undefined;
  }
  // Rewriting identical output would wake file watchers (wrangler dev) for nothing.
  if (previous !== json) {
    mkdirSync(path.dirname(out), { recursive: true });
    // Write then rename, so a watcher never bundles a half-written file.
    const temporary = `${out}.${process.pid}.tmp`;
    writeFileSync(temporary, json);
    renameSync(temporary, out);
  }
  console.log(`${summary} -> ${displayName(out)}`);
}

main();
