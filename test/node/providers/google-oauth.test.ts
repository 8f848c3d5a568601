import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccessTokenSource } from "../../../src/providers/google-oauth";
import { type FakeUpstream, startFakeUpstream } from "../../servers/fake-upstream";

/**
 * The Worker's service-account token source against the fake's real OAuth token endpoint (which verifies the RS256
 * assertion with node:crypto). `now` is injected so expiry is tested without waiting.
 */

let upstream: FakeUpstream;
beforeAll(async () => {
  upstream = await startFakeUpstream();
});
afterAll(() => upstream.close());

async function exchanges(): Promise<number> {
  return ((await (await fetch(`${upstream.url}/oauth2/__stats`)).json()) as { exchanges: number }).exchanges;
}

function source(now: () => number, json = upstream.serviceAccountJson) {
  return new AccessTokenSource(JSON.parse(json) as ConstructorParameters<typeof AccessTokenSource>[0], now);
}

const send = (r: Request) => fetch(r);

describe("AccessTokenSource", () => {
  it("exchanges once for concurrent callers on a cold cache, then serves from cache", async () => {
    const s = source(() => Date.now());
    const before = await exchanges();
    const tokens = await Promise.all([1, 2, 3, 4, 5].map(() => s.token(send)));
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).toMatch(/^ya29\.fake-/);
    await s.token(send);
    expect(await exchanges()).toBe(before + 1);
  });

  it("refreshes five minutes before the stated expiry (3600 s), not after", async () => {
    // Starts 56 minutes in the past, so every assertion signed along the way is still valid in real time for the
    // fake, which checks iat/exp against its own clock.
    let now = Date.now() - 56 * 60_000;
    const s = source(() => now);
    const first = await s.token(send);
    now += 54 * 60_000;
    expect(await s.token(send)).toBe(first);
    now += 2 * 60_000;
    expect(await s.token(send)).not.toBe(first);
  });

  it("fetches a new token after invalidate (the upstream said 401)", async () => {
    const s = source(() => Date.now());
    const first = await s.token(send);
    s.invalidate();
    expect(await s.token(send)).not.toBe(first);
  });

  it("fails without leaking the key when the token endpoint refuses the assertion", async () => {
    // Another key pair than the one the fake knows: the signature must not verify.
    const { makeServiceAccount } = await import("../../servers/cloud-credentials");
    const stranger = makeServiceAccount(`${upstream.url}/oauth2/token`);
    const s = source(() => Date.now(), stranger.json);
    const err = await s.token(send).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe("Google token exchange failed with status 400");
  });
});
