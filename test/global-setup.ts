import { execFileSync } from "node:child_process";
import type { TestProject } from "vitest/node";
import { startFakeUpstream } from "./servers/fake-upstream";
import { startJwksServer } from "./servers/jwks";
import { startUpstashRedis } from "./servers/upstash-redis";

/**
 * Runs in Node before the workerd tests: compiles the test policy set and starts real servers on 127.0.0.1 (the
 * fake upstream, redis-server behind an Upstash REST front, a JWKS server), handing their URLs to the Worker's bindings.
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
  // A real redis-server behind an Upstash-REST-compatible front: the official @upstash/redis client runs unchanged.
  const upstash = await startUpstashRedis();
  project.provide("upstashRedisUrl", upstash.url);
  project.provide("upstashRedisToken", upstash.token);
  // Tenant JWTs are verified against a real JWKS endpoint with real RSA/EC keys.
  const jwks = await startJwksServer();
  project.provide("jwksUrl", jwks.url);
  project.provide("jwksControlUrl", jwks.controlUrl);
  return async () => {
    await upstream.close();
    await upstash.close();
    await jwks.close();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    fakeUpstreamUrl: string;
    upstashRedisUrl: string;
    upstashRedisToken: string;
    jwksUrl: string;
    jwksControlUrl: string;
  }
}
