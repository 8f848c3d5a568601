import { describe, expect, it } from "vitest";
import { parseHeaders, parseSampler } from "../../../src/observability/config";
import { Histograms, METRICS } from "../../../src/observability/metrics";
import { ratioSample, shouldSample } from "../../../src/observability/sampler";
import { formatTraceparent, newSpanId, newTraceId, parseTraceparent } from "../../../src/observability/trace-context";

const T = "4bf92f3577b34da6a3ce929d0e0e4736";
const S = "00f067aa0ba902b7";

describe("parseTraceparent", () => {
  describe.each([
    { header: `00-${T}-${S}-01`, want: { traceId: T, spanId: S, sampled: true } },
    { header: `00-${T}-${S}-00`, want: { traceId: T, spanId: S, sampled: false } },
    { header: `00-${T}-${S}-03`, want: { traceId: T, spanId: S, sampled: true } },
    { header: ` 00-${T}-${S}-01 `, want: { traceId: T, spanId: S, sampled: true } },
    // A future version may append fields; version 00 may not.
    { header: `01-${T}-${S}-01-extra`, want: { traceId: T, spanId: S, sampled: true } },
    { header: `00-${T}-${S}-01-extra`, want: undefined },
    { header: `ff-${T}-${S}-01`, want: undefined },
    { header: `00-${"0".repeat(32)}-${S}-01`, want: undefined },
    { header: `00-${T}-${"0".repeat(16)}-01`, want: undefined },
    { header: `00-${T.toUpperCase()}-${S}-01`, want: undefined },
    { header: `00-${T}-${S}`, want: undefined },
    { header: "", want: undefined },
    { header: undefined, want: undefined },
  ])("$header", ({ header, want }) => {
    it("parses as expected", () => expect(parseTraceparent(header)).toEqual(want));
  });

  it("round-trips what it formats", () => {
    const traceId = newTraceId();
    const spanId = newSpanId();
    expect(parseTraceparent(formatTraceparent(traceId, spanId, false))).toEqual({ traceId, spanId, sampled: false });
  });

  it("makes distinct well-formed ids", () => {
    const ids = new Set(Array.from({ length: 500 }, () => newSpanId()));
    expect(ids.size).toBe(500);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(newTraceId()).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe("sampling decisions", () => {
  const parentOn = { traceId: T, spanId: S, sampled: true };
  const parentOff = { traceId: T, spanId: S, sampled: false };
  describe.each([
    { sampler: parseSampler("always_on", undefined), parent: parentOff, want: true },
    { sampler: parseSampler("always_off", undefined), parent: parentOn, want: false },
    { sampler: parseSampler("parentbased_always_on", undefined), parent: undefined, want: true },
    { sampler: parseSampler("parentbased_always_on", undefined), parent: parentOff, want: false },
    { sampler: parseSampler("parentbased_always_off", undefined), parent: undefined, want: false },
    { sampler: parseSampler("parentbased_always_off", undefined), parent: parentOn, want: true },
    { sampler: parseSampler("traceidratio", 0), parent: parentOn, want: false },
    { sampler: parseSampler("traceidratio", 1), parent: parentOff, want: true },
    { sampler: parseSampler("parentbased_traceidratio", 0), parent: parentOn, want: true },
    { sampler: parseSampler("parentbased_traceidratio", 1), parent: parentOff, want: false },
  ])("$sampler.kind with parent $parent.sampled", ({ sampler, parent, want }) => {
    it("decides", () => expect(shouldSample(sampler, T, parent)).toBe(want));
  });

  it("decides a ratio on the top 52 of the trace id's low 56 bits", () => {
    expect(ratioSample(`${"f".repeat(18)}00000000000000`, 0.001)).toBe(true);
    expect(ratioSample(`${"0".repeat(18)}ffffffffffffff`, 0.999)).toBe(false);
    expect(ratioSample(`${"0".repeat(18)}7fffffffffffff`, 0.5)).toBe(true);
    expect(ratioSample(`${"0".repeat(18)}80000000000000`, 0.5)).toBe(false);
  });
});

describe("OTEL_EXPORTER_OTLP_HEADERS", () => {
  it("reads name=value pairs with percent-encoded values", () => {
    expect(parseHeaders("Authorization=Bearer%20abc, x-team = gw")).toEqual({
      authorization: "Bearer abc",
      "x-team": "gw",
    });
  });
  it.each(["novalue", "=x", "bad name=x", "x=a%0Db"])("refuses %s", (text) => {
    expect(() => parseHeaders(text)).toThrow(/OTEL_EXPORTER_OTLP_HEADERS/);
  });
});

describe("histograms", () => {
  it("puts a value in the bucket whose upper bound is the first at or above it", () => {
    const h = new Histograms(0);
    for (const v of [0, 1, 2, 4, 5, 67108864, 67108865]) h.add(METRICS.tokens, { k: "v" }, v);
    const [entry] = h.drain(10).entries;
    expect(entry?.point.buckets).toEqual([2, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
    expect(entry?.point.count).toBe(7);
    expect(entry?.point.min).toBe(0);
    expect(entry?.point.max).toBe(67108865);
    expect(h.size).toBe(0);
    expect(h.startMs).toBe(10);
  });
});
