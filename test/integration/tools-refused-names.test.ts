import { describe, expect, it } from "vitest";
import { errorOf, invoke, toolKey } from "./tools-helpers";

/** `x-gateway-tool` echoes the requested name (made printable): it must stay ASCII whatever the caller sent. */
describe("refused tool names in response headers", () => {
  it.each([
    ["longer than 128 characters", `get_weather${"x".repeat(200)}`],
    ["full of zero-width characters", `get_weather${"\u200b".repeat(40)}`],
  ])("a name %s gets the tool_not_allowed envelope and an ASCII header", async (_label, name) => {
    const { key } = await toolKey();
    const res = await invoke(name, { city: "Paris" }, key);
    expect(res.status).toBe(403);
    expect(await errorOf(res)).toMatchObject({ code: "tool_not_allowed" });
    expect(res.headers.get("x-gateway-tool")).toMatch(/^[\x20-\x7e]+$/);
  });
});
