import { afterAll, beforeAll } from "vitest";
import { compilePolicy } from "../../../src/policy/compile";
import type { CompiledPolicy } from "../../../src/policy/types";
import { type JwksServer, startJwksServer } from "../../servers/jwks";
import { jwtScenarios, type ScenarioSetup } from "../../unit/auth/jwt-scenarios";
import { expectCompiled, readArtifactDir, readPolicyDir, sha256 } from "../policy/helpers";

// The same scenarios run inside workerd in test/integration/auth-jwt.test.ts; here they also cover Node's fetch.
let server: JwksServer | undefined;
let policy: CompiledPolicy | undefined;

beforeAll(async () => {
  server = await startJwksServer();
  policy = expectCompiled(
    compilePolicy(readPolicyDir("test/fixtures/policies"), sha256, readArtifactDir("test/fixtures/policies")),
  );
});
afterAll(async () => {
  await server?.close();
});

jwtScenarios((): ScenarioSetup => {
  if (server === undefined || policy === undefined) throw new Error("setup did not run");
  return { policy, controlUrl: server.controlUrl };
});
