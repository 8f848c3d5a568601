import { describe, expect, it } from "vitest";
import { parseOrcaHeader } from "../../../src/routing/load/orca";
import { type OriginLoad, originLoadFromMetrics, parsePrometheusText } from "../../../src/routing/load/prometheus";

const VLLM = `# HELP vllm:num_requests_running Number of requests currently running on GPU.
# TYPE vllm:num_requests_running gauge
vllm:num_requests_running{engine="0",model_name="local-small"} 4.0
# HELP vllm:num_requests_waiting Number of requests waiting to be processed.
# TYPE vllm:num_requests_waiting gauge
vllm:num_requests_waiting{engine="0",model_name="local-small"} 3.0
# TYPE vllm:kv_cache_usage_perc gauge
vllm:kv_cache_usage_perc{engine="0",model_name="local-small"} 0.8125
# TYPE vllm:time_to_first_token_seconds histogram
vllm:time_to_first_token_seconds_bucket{le="0.001",model_name="local-small"} 0.0
vllm:time_to_first_token_seconds_bucket{le="+Inf",model_name="local-small"} 12.0
`;

describe("parsePrometheusText", () => {
  it("reads names, labels (escapes included) and values; skips comments and junk", () => {
    const samples = parsePrometheusText(
      [
        "# HELP x y",
        'a_total{path="/v1/\\"chat\\"",code="200"} 17 1700000000000',
        "b 1e3",
        "c{} +Inf",
        "not a sample line",
        'd{bad="unterminated} 1',
        "e NaNx",
      ].join("\n"),
    );
    expect(samples.map((s) => s.name)).toEqual(["a_total", "b", "c"]);
    expect(samples[0]).toEqual({ name: "a_total", labels: { path: '/v1/"chat"', code: "200" }, value: 17 });
    expect(samples[1]?.value).toBe(1000);
    expect(samples[2]?.value).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("originLoadFromMetrics", () => {
  describe.each<[string, string, OriginLoad]>([
    ["vLLM v1", VLLM, { running: 4, waiting: 3, kvCacheUsage: 0.8125 }],
    [
      "vLLM v0 name for the KV cache, two engines summed, fullest cache kept",
      'vllm:num_requests_waiting{engine="0"} 1\nvllm:num_requests_waiting{engine="1"} 2\nvllm:gpu_cache_usage_perc{engine="0"} 0.5\nvllm:gpu_cache_usage_perc{engine="1"} 0.7',
      { waiting: 3, kvCacheUsage: 0.7 },
    ],
    ["TGI", "tgi_queue_size 5\ntgi_batch_current_size 16\ntgi_request_count 99", { waiting: 5, running: 16 }],
    [
      "SGLang",
      'sglang:num_queue_reqs{model_name="m"} 2\nsglang:num_running_reqs{model_name="m"} 8\nsglang:token_usage{model_name="m"} 0.41',
      { waiting: 2, running: 8, kvCacheUsage: 0.41 },
    ],
    ["nothing we read", "process_cpu_seconds_total 3.2", {}],
    ["a NaN gauge is ignored", "vllm:num_requests_waiting NaN\nvllm:num_requests_running 2", { running: 2 }],
  ])("%s", (_name, text, expected) => {
    it("extracts the load", () => {
      expect(originLoadFromMetrics(text)).toEqual(expected);
    });
  });
});

describe("parseOrcaHeader", () => {
  describe.each<[string, string | null, OriginLoad | undefined]>([
    ["absent", null, undefined],
    [
      "TEXT",
      "TEXT cpu_utilization=0.3, named_metrics.kv_cache_usage=0.82, named_metrics.num_requests_waiting=4",
      { kvCacheUsage: 0.82, waiting: 4 },
    ],
    [
      "JSON",
      'JSON {"cpu_utilization":0.3,"named_metrics":{"num_requests_running":7,"queue_size":1}}',
      { running: 7, waiting: 1 },
    ],
    ["binary is not read", "BIN CgQIARAC", undefined],
    ["no gauge we read", "TEXT cpu_utilization=0.3", undefined],
    ["broken JSON", "JSON {nope", undefined],
    ["negative values dropped", "TEXT named_metrics.queue_size=-1", undefined],
  ])("%s", (_name, header, expected) => {
    it("parses", () => {
      expect(parseOrcaHeader(header)).toEqual(expected);
    });
  });
});
