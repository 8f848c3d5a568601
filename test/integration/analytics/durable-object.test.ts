import { env } from "cloudflare:workers";
import { createDurableObjectAnalytics } from "../../../src/analytics/durable-object";
import { analyticsContract } from "./contract";

analyticsContract({ name: "durable-object", make: () => createDurableObjectAnalytics(env.TENANT_ANALYTICS) });
