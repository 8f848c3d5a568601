import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { ArtifactSourceFile } from "../src/policy/compile";

/** Relative to the working directory when inside it, so errors read `policies/models.yaml`. */
export function displayName(file: string): string {
  const relative = path.relative(process.cwd(), file);
  const shown = relative.startsWith("..") || path.isAbsolute(relative) ? path.resolve(file) : relative;
  return shown.split(path.sep).join("/");
}

/** Every `*.json` below the policy directory (learned routers and verifiers), by path relative to it. */
export function artifactFiles(dir: string): ArtifactSourceFile[] {
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(".json"))
    .map((e) => path.join(e.parentPath, e.name))
    .sort()
    .map((file) => ({
      path: path.relative(dir, file).split(path.sep).join("/"),
      name: displayName(file),
      text: readFileSync(file, "utf8"),
    }));
}
