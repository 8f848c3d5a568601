import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { closeServer, listen, readBody, sendJson } from "../../../local/http";
import { flatten, ToolTargetRecorder, type ToolTargetRequest } from "./recorder";
import { route } from "./routes";

/**
 * A real HTTP tool target on 127.0.0.1 (random port) for the tool-proxy tests, recording every request.
 *
 *   GET  /weather/:city          JSON weather ("nowhere" -> 404)
 *   ANY  /echo[/...]             {method, path, query, headers, body} of the request it received
 *   GET  /redirect?to=URL&status=302   a redirect to URL (absolute or relative)
 *   GET  /chain/:n               n redirects to itself, then {"done": true}
 *   GET  /big?bytes=N            N bytes of text with content-length; /big-chunked: without it
 *   GET  /gzip?bytes=N           N bytes of text, gzip-encoded (tiny on the wire, large decompressed)
 *   GET  /slow?ms=N              answers after N ms; /slow-body?ms=N: headers at once, the rest of the body later
 *   GET  /inject[?format=json]   content that tells the model to call other tools (prompt injection)
 *   GET  /text?body=...          plain text; /status/:code: that status with a JSON body
 *   POST /webhook                a Standard Webhooks receiver that verifies signatures (webhook.ts);
 *                                GET /webhook/deliveries?id= what it decided per webhook-id
 *   GET  /__requests[?contains=] what was received (JSON array); DELETE /__requests forgets it
 */

export interface ToolTarget {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  url: string;
  /** `127.0.0.1:PORT`: the exact allowlist entry. */
  host: string;
  requests(contains?: string): ToolTargetRequest[];
  close(): Promise<void>;
}

const BODY_LIMIT = 4 * 1024 * 1024;

export async function startToolTarget(opts: { port?: number } = {}): Promise<ToolTarget> {
  const recorder = new ToolTargetRecorder();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawUrl = req.url ?? "/";
    const url = new URL(rawUrl, "http://tool-target.invalid");
    const q = rawUrl.indexOf("?");
    const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
    if (url.pathname === "/__requests") {
      if (req.method === "DELETE") {
        recorder.clear();
        sendJson(res, 200, { cleared: true });
        return;
      }
      sendJson(res, 200, recorder.list(url.searchParams.get("contains") ?? undefined));
      return;
    }
    const body = await readBody(req, BODY_LIMIT);
    const text = body.ok ? body.text : "";
    recorder.add({
      method: req.method ?? "GET",
      path: rawPath,
      search: q < 0 ? "" : rawUrl.slice(q),
      headers: flatten(req.headers),
      body: text,
      receivedAt: Date.now(),
    });
    await route({ req, res, url, rawPath, body: text });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: `tool target bug: ${String(err)}` } });
      else res.destroy();
    });
  });
  const url = await listen(server, opts.port ?? 0, "127.0.0.1");
  return {
    url,
    host: url.slice("http://".length),
    requests: (contains) => recorder.list(contains),
    close: () => closeServer(server),
  };
}
