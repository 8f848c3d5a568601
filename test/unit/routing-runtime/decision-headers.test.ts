import { describe, expect, it } from "vitest";
import { decisionHeaders } from "../../../src/gateway/routing-headers";
import type { TierDecision } from "../../../src/routing/plan";

describe.each<[string, TierDecision | undefined, Record<string, string>]>([
  ["no decision", undefined, {}],
  [
    "a rule",
    { decidedBy: "rule:0", tier: "premium" },
    { "x-gateway-decided-by": "rule:0", "x-gateway-tier": "premium" },
  ],
  [
    "the router, on",
    { decidedBy: "router", tier: "cheap", score: 0.1234, router: { tier: "cheap", decidedBy: "router" } },
    {
      "x-gateway-decided-by": "router",
      "x-gateway-tier": "cheap",
      "x-gateway-router-tier": "cheap",
      "x-gateway-router-decided-by": "router",
      "x-gateway-router-score": "0.1234",
    },
  ],
  [
    "the router, shadow",
    { decidedBy: "default", tier: "cheap", score: 0.9, router: { tier: "premium", decidedBy: "router", shadow: true } },
    {
      "x-gateway-decided-by": "default",
      "x-gateway-tier": "cheap",
      "x-gateway-router-tier": "premium",
      "x-gateway-router-decided-by": "shadow:router",
      "x-gateway-router-score": "0.9",
    },
  ],
  [
    "the router without an embedding",
    {
      decidedBy: "router:no-embedding",
      tier: "premium",
      router: { tier: "premium", decidedBy: "router:no-embedding" },
    },
    {
      "x-gateway-decided-by": "router:no-embedding",
      "x-gateway-tier": "premium",
      "x-gateway-router-tier": "premium",
      "x-gateway-router-decided-by": "router:no-embedding",
    },
  ],
])("decisionHeaders: %s", (_name, decision, expected) => {
  it("gives exactly these headers", () => {
    expect(decisionHeaders(decision)).toEqual(expected);
  });
});
