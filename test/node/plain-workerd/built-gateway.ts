import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { type BuiltWorker, buildGateway } from "../../../bench/build";
import { type FakeUpstream, startFakeUpstream } from "../../servers/fake-upstream";
import { startToolTarget, type ToolTarget } from "../../servers/tool-target/server";
import type { PlainGatewayOptions } from "./harness";

/** What every test in this folder starts its gateways from: the build, a scratch folder and the policy's variables. */
export type BuiltGatewaySetup = Pick<PlainGatewayOptions, "built" | "dir" | "vars">;

/**
 * Registers the suite's hooks: before all tests, builds the gateway with the plain-workerd test policy and starts the
 * fake upstream and tool target it points at; after them, stops both and removes the scratch folder. Call at module
 * level; `setup()` is valid inside tests and later hooks.
 */
export function useBuiltGateway(prefix: string): () => BuiltGatewaySetup {
  let dir: string | undefined;
  let fake: FakeUpstream | undefined;
  let toolTarget: ToolTarget | undefined;
  let built: BuiltWorker | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    fake = await startFakeUpstream({ port: 0 });
    toolTarget = await startToolTarget({ port: 0 });
    const build = await buildGateway(
      resolve("."),
      join(dir, "gateway"),
      join(dir, "build.log"),
      "test/fixtures/plain-workerd",
    );
    if (!build.ok) throw new Error(build.reason);
    built = build.worker;
  });

  afterAll(async () => {
    await fake?.close();
    await toolTarget?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  return () => {
    if (!dir || !fake || !toolTarget || !built) throw new Error("the built gateway is not set up yet");
    return {
      built,
      dir,
      vars: { FAKE_UPSTREAM_URL: fake.url, TOOL_TARGET_URL: toolTarget.url, TOOL_TARGET_HOST: toolTarget.host },
    };
  };
}
