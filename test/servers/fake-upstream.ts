import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { closeServer, listen, parseJson, readBody, sendJson, sleep } from "../../local/http";
import { anthropicBatchRoutes } from "./anthropic-batch-routes";
import { anthropicRoutes } from "./anthropic-routes";
import { azureRoutes } from "./azure-routes";
import { bedrockRoutes } from "./bedrock-routes";
import { DEFAULT_TOKEN_PROB, type Directives, parseDirectives } from "./directives";
import { type Dialect, errorBody, errorHeaders } from "./errors";
import { geminiRoutes } from "./gemini-routes";
import { type GoogleOAuthFake, startGoogleOAuthFake } from "./google-oauth-fake";
import { openAiBatchRoutes } from "./openai-batch-routes";
import { openAiRoutes } from "./openai-routes";
import { type Outcome, writeOutcome } from "./outcome";
import { flattenHeaders, type RecordedRequest, Recorder } from "./recorder";
import type { FakeRoute } from "./route";
import { vertexRoutes } from "./vertex-routes";

/**
 * The fake upstream for tests: one loopback server speaking the OpenAI (`/v1/...`), Anthropic (`/anthropic/v1/...`)
 * and Gemini (`/gemini/v1beta/...`) wire formats with deterministic answers, steered by `x-fake-*` headers or
 * `;key=value` model suffixes (see directives.ts), recording every request. Tests inside workerd read the record
 * over HTTP: `GET /__requests[?contains=..&path=..]`, `DELETE /__requests`.
 */

export { countTokens } from "../../local/words";
export type { FakeAnswer, RecordedRequest } from "./recorder";

export interface FakeUpstream {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  url: string;
  /** A Google service-account key file whose `token_uri` is this server's OAuth token endpoint (Vertex tests). */
  serviceAccountJson: string;
  close(): Promise<void>;
  requests(): RecordedRequest[];
  /** Forgets recorded requests. `fail_first` counters are kept: they are per key, and keys are unique per test. */
  clear(): void;
}

const ROUTES: readonly FakeRoute[] = [
  ...openAiRoutes,
  ...openAiBatchRoutes,
  ...anthropicRoutes,
  ...anthropicBatchRoutes,
  ...geminiRoutes,
  ...bedrockRoutes,
  ...azureRoutes,
];
const BODY_LIMIT_BYTES = 8 * 1024 * 1024;

function decodePath(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return pathname;
  }
}

function matchRoute(
  routes: readonly FakeRoute[],
  method: string,
  path: string,
): { route: FakeRoute; pathModel?: string } | undefined {
  for (const route of routes) {
    if (route.method !== method) continue;
    const m = route.pattern.exec(path);
    if (m === null) continue;
    return m[1] === undefined ? { route } : { route, pathModel: m[1] };
  }
  return undefined;
}

function fail(dialect: Dialect, status: number, message: string): Outcome {
  return { kind: "json", status, body: errorBody(dialect, status, message), headers: errorHeaders(status, dialect) };
}

const NO_FAULTS: Directives = {
  delayMs: 0,
  chunkDelayMs: 0,
  omitUsage: false,
  split: false,
  tokens: 0,
  key: "",
  garbage: false,
  ignoreMaxTokens: false,
  callsRepeat: false,
  cached: 0,
  cacheWrite: 0,
  tokenProb: DEFAULT_TOKEN_PROB,
};

export async function startFakeUpstream(opts: { port?: number } = {}): Promise<FakeUpstream> {
  const recorder = new Recorder();
  const failures = new Map<string, number>();
  let seq = 0;
  let oauth: GoogleOAuthFake | undefined;
  let routes: readonly FakeRoute[] = ROUTES;

  function control(req: IncomingMessage, res: ServerResponse, url: URL): void {
    if (req.method === "DELETE") {
      recorder.clear();
      sendJson(res, 200, { cleared: true });
      return;
    }
    if (req.method !== "GET") {
      sendJson(res, 405, { error: { message: "use GET or DELETE" } });
      return;
    }
    const contains = url.searchParams.get("contains") ?? undefined;
    const path = url.searchParams.get("path") ?? undefined;
    sendJson(
      res,
      200,
      recorder.list({ ...(contains !== undefined && { contains }), ...(path !== undefined && { path }) }),
    );
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake-upstream.invalid");
    const path = decodePath(url.pathname);
    if (path === "/__requests") return control(req, res, url);

    const method = req.method ?? "GET";
    const raw = await readBody(req, BODY_LIMIT_BYTES);
    const text = raw.ok ? raw.text : "";
    const json = text === "" ? undefined : parseJson(text);
    const body = json === undefined ? null : json.ok ? json.value : text;
    const recorded = recorder.add({
      method,
      path,
      search: url.search,
      headers: flattenHeaders(req.headers),
      body,
      receivedAt: Date.now(),
    });

    if (oauth !== undefined && method === "POST" && path === oauth.tokenPath) {
      return writeOutcome(res, oauth.exchange(text), NO_FAULTS);
    }
    if (oauth !== undefined && method === "POST" && path === "/oauth2/__expire") {
      oauth.expireAll();
      return sendJson(res, 200, { expired: true });
    }
    if (oauth !== undefined && method === "GET" && path === "/oauth2/__stats") {
      return sendJson(res, 200, { exchanges: oauth.exchanges() });
    }
    const match = matchRoute(routes, method, path);
    const dialect = match?.route.dialect ?? "openai";
    if (!raw.ok) {
      if (raw.reason === "too_large") await writeOutcome(res, fail(dialect, 413, "request body too large"), NO_FAULTS);
      return;
    }
    if (match === undefined) {
      return sendJson(res, 404, {
        error: { message: `fake upstream has no route ${method} ${path}`, type: "not_found" },
      });
    }
    if (match.route.rawBody === true) {
      seq += 1;
      const input = { body: text, model: "", directives: NO_FAULTS, query: url.searchParams, seq };
      const outcome = match.route.handle(
        match.pathModel === undefined ? input : { ...input, pathParam: match.pathModel },
      );
      return writeOutcome(res, outcome, NO_FAULTS);
    }
    const bodyless = match.route.bodyless === true && text === "";
    if (method === "POST" && !bodyless && (json === undefined || !json.ok)) {
      return writeOutcome(res, fail(dialect, 400, "request body is not valid JSON"), NO_FAULTS);
    }
    const { route, pathModel } = match;
    const rawUrl = req.url ?? "/";
    const q = rawUrl.indexOf("?");
    const refused = route.authenticate?.({
      method,
      rawPath: q === -1 ? rawUrl : rawUrl.slice(0, q),
      rawQuery: q === -1 ? "" : rawUrl.slice(q + 1),
      headers: req.headers,
      body: text,
    });
    if (refused !== undefined) return writeOutcome(res, refused, NO_FAULTS);
    const bodyModel = (body as { model?: unknown } | null)?.model;
    const modelRaw = route.modelFrom === "path" ? pathModel : typeof bodyModel === "string" ? bodyModel : undefined;
    const steering = parseDirectives(req.headers, modelRaw);
    if (!steering.ok) return writeOutcome(res, fail(dialect, 400, steering.message), NO_FAULTS);
    const { model, directives: d } = steering.value;

    await sleep(d.delayMs);
    if (d.failFirst !== undefined) {
      const count = (failures.get(d.key) ?? 0) + 1;
      failures.set(d.key, count);
      if (count <= d.failFirst) {
        const status = d.status ?? 503;
        return writeOutcome(res, fail(dialect, status, `fake failure ${count}/${d.failFirst} (key '${d.key}')`), d);
      }
    } else if (d.status !== undefined) {
      return writeOutcome(res, fail(dialect, d.status, `fake status ${d.status} requested`), d);
    }
    seq += 1;
    const origin = `http://${req.headers.host ?? "127.0.0.1"}`;
    const input = { body, model, directives: d, query: url.searchParams, seq, origin };
    const outcome = route.handle(pathModel === undefined ? input : { ...input, pathParam: pathModel });
    if (outcome.answer === undefined) return writeOutcome(res, outcome, d);
    // The recorded answer doubles as the stream's progress, so what was really written shows up as it happens.
    const whole = outcome.kind === "json" && d.dropAfter === undefined && !d.garbage;
    const answer = { ...outcome.answer, contentEvents: 0, completed: whole };
    recorded.answer = answer;
    await writeOutcome(res, outcome, d, answer);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // Last-resort boundary: a bug in one route costs one request, never the test run.
      if (!res.headersSent) sendJson(res, 500, { error: { message: `fake upstream bug: ${String(err)}` } });
      else res.destroy();
    });
  });
  const url = await listen(server, opts.port ?? 0, "127.0.0.1");
  // The token endpoint's address is part of the service account (its `token_uri`), so it exists once we listen.
  oauth = startGoogleOAuthFake(url);
  routes = [...ROUTES, ...vertexRoutes(oauth)];
  return {
    url,
    serviceAccountJson: oauth.serviceAccount.json,
    close: () => closeServer(server),
    requests: () => recorder.list(),
    clear: () => recorder.clear(),
  };
}
