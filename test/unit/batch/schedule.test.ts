import { describe, expect, it } from "vitest";
import { batchPricing } from "../../../src/batch/pricing";
import { DEFAULT_BATCH, FINAL_HOUR_MS, type StartDecision, startDecision } from "../../../src/batch/schedule";
import type { RouteBatchConfig } from "../../../src/policy/types";

const at = (iso: string) => Date.parse(iso);
const DAY = 86_400_000;
const nightly: RouteBatchConfig = { ...DEFAULT_BATCH, off_peak: { start_hour: 22, end_hour: 6 } };
const daytime: RouteBatchConfig = { ...DEFAULT_BATCH, off_peak: { start_hour: 9, end_hour: 17 } };
const idle: RouteBatchConfig = { ...DEFAULT_BATCH, origin_idle: true, retry_delay_s: 45 };

describe.each<[string, RouteBatchConfig, string, number, boolean, StartDecision]>([
  ["no settings: runs", DEFAULT_BATCH, "2026-12-03T12:00:00Z", DAY, true, { run: true }],
  ["inside a window that wraps midnight", nightly, "2026-12-03T23:30:00Z", DAY, false, { run: true }],
  ["after midnight, still inside", nightly, "2026-12-03T05:59:59Z", DAY, false, { run: true }],
  [
    "outside: waits until the window opens",
    nightly,
    "2026-12-03T20:00:00Z",
    DAY,
    false,
    { run: false, delaySeconds: 7200, reason: "off_peak" },
  ],
  [
    "after today's window: waits for tomorrow's, 12 h at most (the queue's longest delay)",
    daytime,
    "2026-12-03T18:00:00Z",
    DAY,
    false,
    { run: false, delaySeconds: 12 * 3600, reason: "off_peak" },
  ],
  [
    "a wait never passes the final hour of the window",
    daytime,
    "2026-12-03T18:00:00Z",
    3 * 3600_000,
    false,
    { run: false, delaySeconds: 7200, reason: "off_peak" },
  ],
  ["in the final hour nothing defers", nightly, "2026-12-03T12:00:00Z", FINAL_HOUR_MS, true, { run: true }],
  [
    "a busy origin defers when origin_idle",
    idle,
    "2026-12-03T12:00:00Z",
    DAY,
    true,
    { run: false, delaySeconds: 45, reason: "origin_busy" },
  ],
  ["an idle origin runs", idle, "2026-12-03T12:00:00Z", DAY, false, { run: true }],
  ["a busy origin is ignored without origin_idle", DEFAULT_BATCH, "2026-12-03T12:00:00Z", DAY, true, { run: true }],
])("%s", (_label, config, now, left, originBusy, expected) => {
  it("decides", () => {
    const nowMs = at(now);
    expect(startDecision(config, { nowMs, expiresAtMs: nowMs + left, originBusy })).toEqual(expected);
  });
});

describe.each([
  [
    { input_per_mtok: 2_000_000, output_per_mtok: 6_000_000 },
    { input_per_mtok: 2_000_000, output_per_mtok: 6_000_000 },
  ],
  [
    { input_per_mtok: 2_000_000, output_per_mtok: 6_000_000, batch_discount_ppm: 500_000 },
    { input_per_mtok: 1_000_000, output_per_mtok: 3_000_000 },
  ],
  [
    {
      input_per_mtok: 3,
      output_per_mtok: 7,
      cached_input_per_mtok: 1,
      cache_write_per_mtok: 5,
      batch_discount_ppm: 500_000,
    },
    { input_per_mtok: 1, output_per_mtok: 3, cached_input_per_mtok: 0, cache_write_per_mtok: 2 },
  ],
  [
    { input_per_mtok: 10, output_per_mtok: 10, batch_discount_ppm: 1_000_000 },
    { input_per_mtok: 0, output_per_mtok: 0 },
  ],
])("batch price of %o", (pricing, expected) => {
  it("is every price less the discount, rounded down to whole micro-credits", () => {
    expect(batchPricing(pricing)).toEqual(expected);
  });
});
