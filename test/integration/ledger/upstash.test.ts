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

// A redis-server and front of this file's own (spawned once by the shared front), so the faults the contract injects
// (down, lost replies) never reach other test files.
let own: Promise<{ url: string; token: string }> | undefined;
function store(): Promise<{ url: string; token: string }> {
  own ??= fetch(`${env.UPSTASH_REDIS_REST_URL}/__control/spawn?name=ledger-contract`, { method: "POST" }).then(
    async (res) => {
      if (!res.ok) throw new Error(`upstash front /__control/spawn answered ${res.status}`);
      return (await res.json()) as { url: string; token: string };
    },
  );
  return own;
}

const control = (action: "down" | "up" | `lose-replies?count=${number}`) => async () => {
  const { url } = await store();
  const res = await fetch(`${url}/__control/${action}`, { method: "POST" });
  if (!res.ok) throw new Error(`upstash front /__control/${action} answered ${res.status}`);
};

// Runs inside workerd against a real redis-server behind the Upstash REST front (test/global-setup.ts). Each case
// gets a random key prefix, so cases share the store without sharing data. Retries are off: the front's `down` drops
// connections, and the client's default five retries would only stretch the window in which the store is down
// (the retrying path is covered in test/node/ledger-upstash).
ledgerContract({
  name: "upstash",
  make: async () => {
    const { url, token } = await store();
    return createUpstashLedger({ url, token, prefix: `t${crypto.randomUUID().slice(0, 8)}:`, retry: false });
  },
  faults: {
    down: control("down"),
    up: control("up"),
    loseReplies: (count) => control(`lose-replies?count=${count}`)(),
  },
});
