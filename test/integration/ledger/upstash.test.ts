import { env } from "cloudflare:workers";
import { createUpstashLedger } from "../../../src/ledger/upstash";
import { ledgerContract } from "./contract";

declare global {
  namespace Cloudflare {
    interface Env {
      UPSTASH_REDIS_REST_URL: string;
      UPSTASH_REDIS_REST_TOKEN: string;
    }
  }
}

const url = env.UPSTASH_REDIS_REST_URL;
const control = (action: "down" | "up") => async () => {
  const res = await fetch(`${url}/__control/${action}`, { method: "POST" });
  if (!res.ok) throw new Error(`upstash front /__control/${action} answered ${res.status}`);
};

// Runs inside workerd against the real redis-server behind the Upstash REST front (test/global-setup.ts). Each case
// gets a random key prefix, so cases share the store without sharing data. Retries are off: the front's `down` drops
// connections, and the client's default five retries would only stretch the window in which the store is down for
// every other test file (the retrying path is covered in test/node/ledger-upstash).
ledgerContract({
  name: "upstash",
  make: async () =>
    createUpstashLedger({
      url,
      token: env.UPSTASH_REDIS_REST_TOKEN,
      prefix: `t${crypto.randomUUID().slice(0, 8)}:`,
      retry: false,
    }),
  faults: { down: control("down"), up: control("up") },
});
