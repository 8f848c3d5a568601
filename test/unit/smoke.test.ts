import { env, exports } from "cloudflare:workers";
import { expect, it } from "vitest";

it("serves healthz and reaches loopback", async () => {
  const res = await exports.default.fetch("http://gw/healthz");
  expect(await res.json()).toEqual({ status: "ok" });
  const up = await fetch(String((env as Record<string, unknown>).FAKE_UPSTREAM_URL));
  expect(await up.text()).toBe("ok");
});
