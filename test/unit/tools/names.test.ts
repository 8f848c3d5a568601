import { describe, expect, it } from "vitest";
import { printable, resolveToolName } from "../../../src/tools/names";

const ALLOWED = ["get_weather", "echo_post"];

describe("resolveToolName", () => {
  it("accepts an exact match", () => {
    expect(resolveToolName("get_weather", ALLOWED)).toEqual({ ok: true, name: "get_weather" });
  });

  describe.each([
    ["upper case", "Get_Weather"],
    ["all caps", "GET_WEATHER"],
    ["leading space", " get_weather"],
    ["trailing space", "get_weather "],
    ["trailing newline", "get_weather\n"],
    ["tab inside", "get\t_weather"],
    ["zero-width space", "get_\u200bweather"],
    ["zero-width joiner", "get_weather\u200d"],
    ["BOM prefix", "\ufeffget_weather"],
    ["right-to-left override", "get_weather\u202e"],
    ["left-to-right mark", "\u200eget_weather"],
    ["soft hyphen", "get_wea\u00adther"],
    ["prefix", "get_weather_v2"],
    ["suffix match", "weather"],
    ["prefix match", "get_"],
    ["namespaced", "functions.get_weather"],
    ["Cyrillic e", "get_w\u0435ather"],
    ["Greek omicron", "echo_p\u03bfst"],
    ["full-width letters", "\uff47et_weather"],
    ["dotless i / Turkish case", "ECHO_POST".toLowerCase().replace("o", "\u00f6")],
    ["combining mark", "get_weathe\u0301r"],
    ["NUL byte", "get_weather\u0000"],
    ["empty", ""],
    ["different separator", "get-weather"],
  ])("refuses a look-alike: %s", (_label, name) => {
    it("is not allowlisted", () => {
      const result = resolveToolName(name, ALLOWED);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.message).toMatch(/not allowlisted/);
    });
  });

  it("refuses a name that is allowlisted nowhere even if well formed", () => {
    expect(resolveToolName("tagged_only", ALLOWED).ok).toBe(false);
  });

  it("refuses a non-string name", () => {
    expect(resolveToolName(42, ALLOWED).ok).toBe(false);
    expect(resolveToolName({ name: "get_weather" }, ALLOWED).ok).toBe(false);
  });

  it("shows hidden characters in the refusal message", () => {
    const result = resolveToolName("get_\u200bweather", ALLOWED);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain("get_\\u{200b}weather");
  });
});

describe("printable", () => {
  it("keeps printable ASCII and escapes the rest", () => {
    expect(printable("abc")).toBe("abc");
    expect(printable("a\nb")).toBe("a\\u{a}b");
    expect(printable("\u0435")).toBe("\\u{435}");
    expect(printable("a\\b")).toBe("a\\u{5c}b");
  });

  it("bounds the length", () => {
    expect(printable("x".repeat(500), 10)).toBe(`${"x".repeat(10)}...`);
  });
});
