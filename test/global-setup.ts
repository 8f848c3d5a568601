import { execFileSync } from "node:child_process";
import type { TestProject } from "vitest/node";
import { startLocalOrigin } from "../local/origin";
import { startFakeUpstream } from "./servers/fake-upstream";
import { startJwksServer } from "./servers/jwks";
import { startOtlpReceiver } from "./servers/otlp-receiver/server";
import { startToolTarget } from "./servers/tool-target/server";
import { startUpstashRedis } from "./servers/upstash-redis";
import { startUpstashVector } from "./servers/upstash-vector";

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
  project.provide("vertexServiceAccountJson", upstream.serviceAccountJson);
  // A real redis-server behind an Upstash-REST-compatible front: the official @upstash/redis client runs unchanged.
  const upstash = await startUpstashRedis();
  project.provide("upstashRedisUrl", upstash.url);
  project.provide("upstashRedisToken", upstash.token);
  // Tenant JWTs are verified against a real JWKS endpoint with real RSA/EC keys.
  const jwks = await startJwksServer();
  project.provide("jwksUrl", jwks.url);
  project.provide("jwksControlUrl", jwks.controlUrl);
  // The tool-proxy tests' HTTP target; test policies allowlist it by exact host and port (TOOL_TARGET_HOST).
  const toolTarget = await startToolTarget();
  project.provide("toolTargetUrl", toolTarget.url);
  project.provide("toolTargetHost", toolTarget.host);
  // The response cache's Upstash backend: an Upstash-Vector-compatible server over PGlite + pgvector. 256 dimensions:
  // the fake upstream's /v1/embeddings (local/embeddings.ts, lexical feature hashing) default size.
  const vector = await startUpstashVector({ dimensions: 256 });
  project.provide("upstashVectorUrl", vector.url);
  project.provide("upstashVectorToken", vector.token);
  // OpenTelemetry: a real OTLP/HTTP receiver that decodes (strictly) what the gateway exports.
  const otlp = await startOtlpReceiver();
  project.provide("otlpReceiverUrl", otlp.url);
  // The spillover tests' origin cluster: the local origin with its load model (2 slots, slow enough to queue), and
  // the ORCA header on, so both the /metrics scrape and the header are exercised.
  const loadOrigin = await startLocalOrigin({
    chunkDelayMs: 20,
    load: { slots: 2, prefillMs: 150, tokenMs: 10, orcaHeader: true },
  });
  project.provide("loadOriginUrl", loadOrigin.url);
  return async () => {
    await otlp.close();
    await loadOrigin.close();
    await vector.close();
    await upstream.close();
    await upstash.close();
    await jwks.close();
    await toolTarget.close();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    fakeUpstreamUrl: string;
    vertexServiceAccountJson: string;
    upstashRedisUrl: string;
    upstashRedisToken: string;
    jwksUrl: string;
    jwksControlUrl: string;
    upstashVectorUrl: string;
    upstashVectorToken: string;
    toolTargetUrl: string;
    toolTargetHost: string;
    otlpReceiverUrl: string;
    loadOriginUrl: string;
  }
}
