import { execFileSync } from "node:child_process";
import type { TestProject } from "vitest/node";
import { startFakeUpstream } from "./servers/fake-upstream";

/**
 * Runs in Node before the workerd tests: compiles the test policy set and starts the real fake upstream on
 * 127.0.0.1, handing its URL to the Worker's bindings and to tests.
 */
export default async function setup(project: TestProject) {
  execFileSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "scripts/policy-build.ts",
      "--dir",
      "test/fixtures/policies",
      "--out",
      "test/.generated/policy.json",
    ],
    { stdio: "inherit" },
  );
  const upstream = await startFakeUpstream();
  project.provide("fakeUpstreamUrl", upstream.url);
  return async () => {
    await upstream.close();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    fakeUpstreamUrl: string;
  }
}
