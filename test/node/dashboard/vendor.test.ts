import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

describe("the dashboard's charting library", () => {
  it("is the pinned chart.js package's own build, byte for byte (re-copy it when the pin moves)", () => {
    const pinned = (JSON.parse(readFileSync("package.json", "utf8")) as { devDependencies: Record<string, string> })
      .devDependencies["chart.js"];
    const vendored = readFileSync(`public/vendor/chart-${pinned}.umd.min.js`);
    expect(vendored.equals(readFileSync("node_modules/chart.js/dist/chart.umd.min.js"))).toBe(true);
    expect(readFileSync("public/dashboard/index.html", "utf8")).toContain(`../vendor/chart-${pinned}.umd.min.js`);
  });
});
