import { env } from "cloudflare:workers";
import { createUpstashCache } from "../../../src/cache/upstash";
import { cacheContract } from "./contract";

declare global {
  namespace Cloudflare {
    interface Env {
      UPSTASH_VECTOR_REST_URL: string;
      UPSTASH_VECTOR_REST_TOKEN: string;
    }
  }
}

// Against the Upstash-Vector-compatible server over PGlite + pgvector that test/global-setup.ts starts on loopback,
// through the official client. "Unreachable" is a closed loopback port, so no other test's store goes down.
cacheContract({
  name: "upstash",
  make: () =>
    createUpstashCache({ url: env.UPSTASH_VECTOR_REST_URL, token: env.UPSTASH_VECTOR_REST_TOKEN, timeoutMs: 5000 }),
  unreachable: () => createUpstashCache({ url: "http://127.0.0.1:9", token: "x", timeoutMs: 5000 }),
});
