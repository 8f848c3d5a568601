import { createHash } from "node:crypto";
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { ADMIN_SECRET_FOR_TESTS, TEST_KEYS } from "./test/helpers/keys";
import {
  ANTHROPIC_TEST_API_KEY,
  AWS_TEST_CREDENTIALS,
  AWS_WRONG_SECRET,
  AZURE_TEST_API_KEY,
  AZURE_TEST_ENTRA_TOKEN,
  WEBHOOK_TEST_SECRET,
} from "./test/servers/cloud-credentials";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const staticKeys = Object.values(TEST_KEYS).map((k) => ({ key_id: k.keyId, tenant: k.tenant, sha256: sha256(k.key) }));

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            main: "./test/worker.ts",
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                FAKE_UPSTREAM_URL: inject("fakeUpstreamUrl"),
                LOAD_ORIGIN_URL: inject("loadOriginUrl"),
                UPSTASH_REDIS_REST_URL: inject("upstashRedisUrl"),
                UPSTASH_REDIS_REST_TOKEN: inject("upstashRedisToken"),
                JWKS_URL: inject("jwksUrl"),
                JWKS_CONTROL_URL: inject("jwksControlUrl"),
                // The cache's Upstash backend is exercised by tests that select it (CACHE_BACKEND=upstash in their env);
                // the Worker's own default here stays the Durable Object cache.
                UPSTASH_VECTOR_REST_URL: inject("upstashVectorUrl"),
                UPSTASH_VECTOR_REST_TOKEN: inject("upstashVectorToken"),
                CACHE_BACKEND: "durable-object",
                TOOL_TARGET_URL: inject("toolTargetUrl"),
                TOOL_TARGET_HOST: inject("toolTargetHost"),
                // Telemetry is off in the Worker's own env; test/integration/telemetry* turn it on with an env of
                // their own pointing here.
                OTLP_RECEIVER_URL: inject("otlpReceiverUrl"),
                // A tool credential (policy headers fill it in); tests check it never reaches a caller or a model.
                TOOL_API_SECRET: "tool-secret-5f2e9c1d7b3a",
                GATEWAY_STATIC_KEYS: JSON.stringify(staticKeys),
                FAKE_OPENAI_KEY: "fake-openai-secret",
                // Signs the batch completion webhooks of test/fixtures/policies/batch.yaml's t-batch-hook tenants.
                BATCH_WEBHOOK_SECRET: WEBHOOK_TEST_SECRET,
                ANTHROPIC_API_KEY: ANTHROPIC_TEST_API_KEY,
                GEMINI_API_KEY: "fake-gemini-secret",
                // Cloud providers (test/fixtures/policies/cloud.yaml): the fakes verify signatures and tokens.
                AWS_ACCESS_KEY_ID: AWS_TEST_CREDENTIALS.accessKeyId,
                AWS_SECRET_ACCESS_KEY: AWS_TEST_CREDENTIALS.secretAccessKey,
                BEDROCK_WRONG_SECRET: AWS_WRONG_SECRET.secretAccessKey,
                GOOGLE_SERVICE_ACCOUNT_JSON: inject("vertexServiceAccountJson"),
                AZURE_OPENAI_API_KEY: AZURE_TEST_API_KEY,
                AZURE_ENTRA_TOKEN: AZURE_TEST_ENTRA_TOKEN,
                MAX_BODY_BYTES: "65536",
                // Batch input files (POST /v1/files) have their own limit: a 1,000-line file is ~150 KB.
                MAX_FILE_BYTES: "1048576",
                ADMIN_SECRET: ADMIN_SECRET_FOR_TESTS,
                KEY_CACHE_TTL_MS: "1000",
                // Tests wait for each request's waitUntil work; a 1 s analytics flush timer would add a second to each.
                ANALYTICS_FLUSH_MS: "10",
              },
            },
          })),
        ],
        test: {
          name: "workers",
          include: ["test/unit/**/*.test.ts", "test/integration/**/*.test.ts"],
          globalSetup: ["./test/global-setup.ts"],
          setupFiles: ["./test/setup/seed-credits.ts"],
          // Seeding credits talks to both ledger backends; on a loaded 2-core machine it outlasted the 10 s default.
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "node",
          environment: "node",
          include: ["test/node/**/*.test.ts", "test/e2e/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
