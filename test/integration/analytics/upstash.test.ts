import { env } from "cloudflare:workers";
import { createUpstashAnalytics } from "../../../src/analytics/upstash";
import { analyticsContract } from "./contract";

declare global {
  namespace Cloudflare {
    interface Env {
      UPSTASH_REDIS_REST_URL: string;
      UPSTASH_REDIS_REST_TOKEN: string;
    }
  }
}

// redis-server behind the Upstash-REST-compatible front that test/global-setup.ts starts, through the official client.
analyticsContract({
  name: "upstash",
  make: () =>
    createUpstashAnalytics({
      url: env.UPSTASH_REDIS_REST_URL,
      token: env.UPSTASH_REDIS_REST_TOKEN,
      prefix: `an-test-${crypto.randomUUID().slice(0, 8)}:`,
    }),
});
