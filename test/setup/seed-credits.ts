import { env } from "cloudflare:workers";
import { beforeAll } from "vitest";
import { createDurableObjectLedger } from "../../src/ledger/durable-object";
import { TEST_KEYS } from "../helpers/keys";

/**
 * Every workerd test file starts with funded accounts for the static test keys, in the embedded (Durable Object)
 * ledger the test Worker uses. Crediting is idempotent per reference, so running this per file is safe.
 */
export const SEED_CREDITS = 1_000_000_000_000;

beforeAll(async () => {
  const { ledger } = createDurableObjectLedger({ tenants: env.TENANT_LEDGER, keys: env.KEY_DIRECTORY });
  for (const k of [
    TEST_KEYS.main,
    TEST_KEYS.restricted,
    TEST_KEYS.tools,
    TEST_KEYS.cacheA,
    TEST_KEYS.cacheB,
    TEST_KEYS.cachePriced,
  ]) {
    await ledger.credit(k.keyId, k.tenant, SEED_CREDITS, "test-seed", "topup");
  }
});
