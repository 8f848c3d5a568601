import { createServer } from "node:http";
import { listen } from "../local/http";

/**
 * An OTLP/HTTP endpoint for the bench's traced gateway: it reads each export and answers 200 without decoding it (the
 * receiver the tests use validates every field, which would only add noise here). It runs in the bench process; its
 * CPU is not the gateway's and is not counted.
 */
export interface OtlpSink {
  url: string;
  stats(): { traces: number; metrics: number; bytes: number };
  close(): void;
}

export async function startOtlpSink(): Promise<OtlpSink> {
  const stats = { traces: 0, metrics: 0, bytes: 0 };
  const server = createServer((req, res) => {
    req.on("data", (chunk: Buffer) => {
      stats.bytes += chunk.length;
    });
    req.on("end", () => {
      if (req.url === "/v1/traces") stats.traces++;
      else if (req.url === "/v1/metrics") stats.metrics++;
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  const url = await listen(server, 0, "127.0.0.1");
  return { url, stats: () => ({ ...stats }), close: () => server.close() };
}
