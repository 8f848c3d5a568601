import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { closeServer, listen, readBody, sendJson } from "../../../local/http";
import { attributes, MetricsRequest, type Plain, TracesRequest } from "./decode";

/**
 * A real OTLP/HTTP receiver on 127.0.0.1 (JSON encoding) for the telemetry tests. It validates every export strictly
 * (400 on anything malformed, counted) and keeps what it decoded for tests to read back:
 *
 *   POST /v1/traces, /v1/metrics   OTLP/HTTP JSON exports
 *   GET  /__spans[?attr=key=value][&trace=id]   decoded spans, optionally those with one attribute equal to a value
 *                                    or of one trace
 *   GET  /__metrics                  decoded histogram points
 *   GET  /__exports                  every export received: path, headers, status, and the rejection reason if any
 *   DELETE /__all                    forget everything
 */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startNs: string;
  endNs: string;
  status: { code: number; message?: string };
  attributes: Record<string, Plain>;
  resource: Record<string, Plain>;
}

export interface ReceivedPoint {
  metric: string;
  unit: string;
  attributes: Record<string, Plain>;
  count: number;
  sum: number;
  bucketCounts: number[];
  explicitBounds: number[];
}

interface ExportRecord {
  path: string;
  headers: Record<string, string>;
  status: number;
  reason?: string;
}

export interface OtlpReceiver {
  url: string;
  close(): Promise<void>;
}

export async function startOtlpReceiver(opts: { port?: number } = {}): Promise<OtlpReceiver> {
  let spans: ReceivedSpan[] = [];
  let points: ReceivedPoint[] = [];
  let exports: ExportRecord[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://otlp.invalid");
    if (req.method === "GET" && url.pathname === "/__spans") {
      const filter = url.searchParams.get("attr");
      const trace = url.searchParams.get("trace");
      const eq = filter?.indexOf("=") ?? -1;
      const key = filter?.slice(0, eq);
      const value = filter?.slice(eq + 1);
      const found = spans.filter(
        (s) =>
          (trace === null || s.traceId === trace) &&
          (filter === null || (key !== undefined && String(s.attributes[key]) === value)),
      );
      sendJson(res, 200, found);
      return;
    }
    if (req.method === "GET" && url.pathname === "/__metrics") return sendJson(res, 200, points);
    if (req.method === "GET" && url.pathname === "/__exports") return sendJson(res, 200, exports);
    if (req.method === "DELETE" && url.pathname === "/__all") {
      spans = [];
      points = [];
      exports = [];
      return sendJson(res, 200, { cleared: true });
    }
    if (req.method !== "POST" || (url.pathname !== "/v1/traces" && url.pathname !== "/v1/metrics")) {
      return sendJson(res, 404, { error: "not an OTLP path" });
    }
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    const record: ExportRecord = { path: url.pathname, headers, status: 200 };
    exports.push(record);
    const reject = (reason: string) => {
      record.status = 400;
      record.reason = reason;
      sendJson(res, 400, { error: reason });
    };
    if (!(req.headers["content-type"] ?? "").startsWith("application/json")) return reject("content-type");
    const body = await readBody(req, 16 * 1024 * 1024);
    if (!body.ok) return reject(body.reason);
    let json: unknown;
    try {
      json = JSON.parse(body.text);
    } catch {
      return reject("invalid JSON");
    }
    if (url.pathname === "/v1/traces") {
      const parsed = TracesRequest.safeParse(json);
      if (!parsed.success) return reject(parsed.error.message);
      for (const rs of parsed.data.resourceSpans) {
        const resource = attributes(rs.resource.attributes);
        for (const ss of rs.scopeSpans) {
          for (const s of ss.spans) {
            spans.push({
              traceId: s.traceId,
              spanId: s.spanId,
              ...(s.parentSpanId === undefined ? {} : { parentSpanId: s.parentSpanId }),
              name: s.name,
              kind: s.kind,
              startNs: s.startTimeUnixNano,
              endNs: s.endTimeUnixNano,
              status: s.status,
              attributes: attributes(s.attributes),
              resource,
            });
          }
        }
      }
    } else {
      const parsed = MetricsRequest.safeParse(json);
      if (!parsed.success) return reject(parsed.error.message);
      for (const rm of parsed.data.resourceMetrics) {
        for (const sm of rm.scopeMetrics) {
          for (const m of sm.metrics) {
            for (const p of m.histogram.dataPoints) {
              points.push({
                metric: m.name,
                unit: m.unit,
                attributes: attributes(p.attributes),
                count: Number(p.count),
                sum: p.sum,
                bucketCounts: p.bucketCounts.map(Number),
                explicitBounds: p.explicitBounds,
              });
            }
          }
        }
      }
    }
    sendJson(res, 200, {});
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: `otlp receiver bug: ${String(err)}` });
      else res.destroy();
    });
  });
  const url = await listen(server, opts.port ?? 0, "127.0.0.1");
  return { url, close: () => closeServer(server) };
}
