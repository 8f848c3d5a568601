import { describe, expect, it } from "vitest";
import { GatewayError } from "../../../src/errors";
import { translate } from "../../../src/gateway/translate";
import { countsAgainstBreaker, failureError, retriableOnSameTarget } from "../../../src/routing/failure";

const ON = { statuses: [429, 500, 502, 503, 504], timeout: true, connection_error: true };

describe.each([
  ["a TypeError", () => new TypeError("cannot read properties of undefined"), "upstream_unavailable", 503],
  [
    "a client-facing 400",
    () => new GatewayError("unsupported_parameter", "x cannot be sent to this upstream", { param: "x" }),
    "unsupported_parameter",
    400,
  ],
  [
    "a 500 GatewayError (not shown to clients)",
    () => new GatewayError("internal_error", "bug"),
    "upstream_unavailable",
    503,
  ],
] as const)("an adapter that throws %s while translating", (_label, thrown, code, status) => {
  const failure = translate(() => {
    throw thrown();
  });

  it("is an unsupported failure: never retried on the same target, never counted against its breaker", () => {
    expect(failure).toMatchObject({ kind: "unsupported" });
    if (failure instanceof Request) throw new Error("expected a failure");
    expect(retriableOnSameTarget(failure, ON)).toBe(false);
    expect(countsAgainstBreaker(failure, ON)).toBe(false);
  });

  it(`answers ${code} (${status}) when no other target serves`, () => {
    if (failure instanceof Request) throw new Error("expected a failure");
    const error = failureError(failure, 1000);
    expect(error.code).toBe(code);
    expect(error.status).toBe(status);
  });
});

it("a request that translates is passed through", () => {
  const req = new Request("https://upstream.example/v1/chat/completions");
  expect(translate(() => req)).toBe(req);
});
