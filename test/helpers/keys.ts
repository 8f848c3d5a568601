/**
 * Gateway API keys used by tests. Plaintext lives only here; the Worker under test is configured with their SHA-256
 * hashes (see vitest.config.ts), exactly as a deployment would be.
 */
export const TEST_KEYS = {
  main: { key: "sk-gw-test-main-6f1d2c", keyId: "test-main", tenant: "t-main" },
  restricted: { key: "sk-gw-test-restricted-9a8b7c", keyId: "test-restricted", tenant: "t-restricted" },
  orphan: { key: "sk-gw-test-orphan-1234", keyId: "test-orphan", tenant: "no-such-tenant" },
  tools: { key: "sk-gw-test-tools-41c9e0", keyId: "test-tools", tenant: "t-tools" },
  cacheA: { key: "sk-gw-test-cache-a-7d21f3", keyId: "test-cache-a", tenant: "t-cache-a" },
  cacheB: { key: "sk-gw-test-cache-b-0e5a94", keyId: "test-cache-b", tenant: "t-cache-b" },
  cachePriced: { key: "sk-gw-test-cache-priced-c3b8d1", keyId: "test-cache-priced", tenant: "t-cache-priced" },
} as const;

/** The test Worker's ADMIN_SECRET binding (vitest.config.ts). */
export const ADMIN_SECRET_FOR_TESTS = "test-admin-secret-0123456789";
