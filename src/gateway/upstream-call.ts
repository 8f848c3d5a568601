import type { ChatRequest, ChatResponse, EmbeddingsRequest, EmbeddingsResponse } from "../canonical/chat";
import type { Services } from "../context";
import { GatewayError } from "../errors";
import { UpstreamProtocolError } from "../errors/upstream-protocol-error";
import { getAdapter, type ResolveResult, resolveProvider } from "../providers";
import type { ProviderAdapter, ResolvedProvider } from "../providers/types";
import type { AttemptOutcome, ExecuteDeps, Failure } from "../routing/execute";
import type { PlannedAttempt } from "../routing/plan";
import { sleep } from "../routing/sleep";
import type { StreamStart } from "../streaming/stream-start";
import { type AttemptTrace, tracedAttempt } from "./attempt-span";
import { translate } from "./translate";

export type { StreamStart };

/** What the route executor needs from the isolate's services, for one call (its signal: client gone, refusal). */
export function executorDeps(
  services: Services,
  signal: AbortSignal | undefined,
): Pick<ExecuteDeps<unknown>, "breakers" | "now" | "random" | "sleep" | "signal"> {
  return {
    breakers: services.breakers,
    now: services.now,
    random: services.random,
    sleep,
    ...(signal === undefined ? {} : { signal }),
  };
}

interface Prepared {
  adapter: ProviderAdapter;
  provider: ResolvedProvider;
}

/** Resolves a provider once per Services: the policy and env are fixed for their life. */
export function resolveCached(services: Services, providerId: string): ResolveResult | undefined {
  let resolved = services.providers.get(providerId);
  if (resolved === undefined) {
    const config = services.policy.providers[providerId];
    if (config === undefined) return undefined;
    resolved = resolveProvider(config, (name) => services.env.secret(name));
    services.providers.set(providerId, resolved);
  }
  return resolved;
}

function prepare(
  services: Services,
  a: PlannedAttempt,
): { ok: true; value: Prepared } | { ok: false; failure: Failure } {
  const config = services.policy.providers[a.providerId];
  const resolved = resolveCached(services, a.providerId);
  if (config === undefined || resolved === undefined) {
    return { ok: false, failure: { kind: "unsupported", message: "provider missing" } };
  }
  if (!resolved.ok) {
    // A provider without its secret is skipped like a failed target, so a policy can list hosted fallbacks that only
    // become live once their key is added. The reason names variables (the secret's NAME), never values: if no
    // target serves, the caller is told which one is missing.
    console.warn(`provider ${a.providerId} not configured: ${resolved.reason}`);
    const error = new GatewayError(
      "provider_not_configured",
      `Model "${a.alias}" cannot be served: ${resolved.reason}. An admin must set it (\`wrangler secret put <NAME>\`, ` +
        "or .dev.vars for npm start).",
    );
    return {
      ok: false,
      failure: { kind: "unsupported", message: `provider ${a.providerId} is not configured`, error },
    };
  }
  return { ok: true, value: { adapter: getAdapter(config.type), provider: resolved.provider } };
}

function retryAfterMs(res: Response): number | undefined {
  const header = res.headers.get("retry-after");
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

/** `request` must carry `signal` already (adapters set it from CallOptions), so fetch needs no second Request. */
async function send(
  services: Services,
  provider: ResolvedProvider,
  request: Request,
  signal: AbortSignal,
  traceparent: string | undefined,
  refusal?: ProviderAdapter["refusalError"],
): Promise<Response | Failure> {
  try {
    if (traceparent !== undefined) request.headers.set("traceparent", traceparent);
    const res = await authorizedFetch(services, provider, request);
    if (res.ok) return res;
    // The upstream's error body is dropped on purpose (clients never see a raw provider error shape), unless the
    // adapter reads documented refusals from it into one of our own errors.
    const error =
      refusal === undefined || res.status !== 400 ? undefined : refusal(400, await res.json().catch(() => null));
    await res.body?.cancel().catch(() => undefined);
    const failure: Failure = { kind: "status", status: res.status };
    if (error !== undefined) failure.error = error;
    const hint = retryAfterMs(res);
    if (hint !== undefined) failure.retryAfterMs = hint;
    return failure;
  } catch (err) {
    if (signal.aborted) return { kind: "timeout" };
    return { kind: "connection", message: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Providers with an authorizer (signed requests, short-lived tokens) get it applied last, over the final headers. A
 * 401 means a cached token went stale before its stated expiry (revoked, clock skew): the authorizer forgets it and
 * the request is sent once more with a fresh one.
 */
async function authorizedFetch(services: Services, provider: ResolvedProvider, request: Request): Promise<Response> {
  const authorizer = provider.authorizer;
  if (authorizer === undefined) return services.fetch(request);
  const fetch = (r: Request) => services.fetch(r);
  const spare = authorizer.invalidate === undefined ? undefined : request.clone();
  const res = await services.fetch(await authorizer.authorize(request, fetch));
  if (res.status !== 401 || spare === undefined) {
    await spare?.body?.cancel();
    return res;
  }
  authorizer.invalidate?.();
  await res.body?.cancel();
  return services.fetch(await authorizer.authorize(spare, fetch));
}

function protocolFailure(err: unknown, signal: AbortSignal): Failure {
  if (signal.aborted) return { kind: "timeout" };
  if (err instanceof UpstreamProtocolError || err instanceof SyntaxError)
    return { kind: "bad_response", message: err.message };
  return { kind: "connection", message: err instanceof Error ? err.message : String(err) };
}

export function chatJsonAttempt(services: Services, req: ChatRequest, trace?: AttemptTrace) {
  return tracedAttempt(trace, async (a, signal, traceparent): Promise<AttemptOutcome<ChatResponse>> => {
    const prepared = prepare(services, a);
    if (!prepared.ok) return prepared;
    const { adapter, provider } = prepared.value;
    const request = translate(() =>
      adapter.chatRequest(provider, a.upstreamModel, req, {
        stream: false,
        defaultMaxTokens: a.model.max_output_tokens,
        signal,
      }),
    );
    if (!(request instanceof Request)) return { ok: false, failure: request };
    const loadConfig = services.policy.providers[a.providerId]?.load;
    const done = services.load.begin(a.providerId, loadConfig);
    try {
      const sent = await send(services, provider, request, signal, traceparent, adapter.refusalError);
      if (!(sent instanceof Response)) return { ok: false, failure: sent };
      services.load.observeHeaders(a.providerId, sent.headers, loadConfig);
      return { ok: true, value: adapter.parseChatResponse(await sent.json(), a.upstreamModel) };
    } catch (err) {
      return { ok: false, failure: protocolFailure(err, signal) };
    } finally {
      done();
    }
  });
}

export function chatStreamAttempt(services: Services, req: ChatRequest, trace?: AttemptTrace) {
  return tracedAttempt(trace, async (a, signal, traceparent): Promise<AttemptOutcome<StreamStart>> => {
    const prepared = prepare(services, a);
    if (!prepared.ok) return prepared;
    const { adapter, provider } = prepared.value;
    // Our own abort, on top of the executor's (timeout, client gone): a committed stream is stopped by aborting its
    // fetch, since a body whose reader is mid-read cannot be cancelled directly.
    const stop = new AbortController();
    const request = translate(() =>
      adapter.chatRequest(provider, a.upstreamModel, req, {
        stream: true,
        defaultMaxTokens: a.model.max_output_tokens,
        signal: AbortSignal.any([signal, stop.signal]),
      }),
    );
    if (!(request instanceof Request)) return { ok: false, failure: request };
    const loadConfig = services.policy.providers[a.providerId]?.load;
    const done = services.load.begin(a.providerId, loadConfig);
    const sentAt = services.now();
    const sent = await send(services, provider, request, signal, traceparent, adapter.refusalError);
    if (!(sent instanceof Response)) {
      done();
      return { ok: false, failure: sent };
    }
    services.load.observeHeaders(a.providerId, sent.headers, loadConfig);
    const body = sent.body;
    if (body === null) {
      done();
      return { ok: false, failure: { kind: "bad_response", message: "empty stream body" } };
    }
    // The origin's in-flight count ends with the stream, however it ends.
    const parsed = adapter.parseChatStream(body, a.upstreamModel)[Symbol.asyncIterator]();
    const iterator = loadConfig === undefined ? parsed : untilDone(parsed, done);
    const cancel = async () => {
      stop.abort(new DOMException("stream cancelled", "AbortError"));
      await iterator.return?.();
    };
    try {
      const first = await iterator.next();
      if (first.done) return { ok: false, failure: { kind: "bad_response", message: "stream ended before any event" } };
      services.load.observeTtft(a.providerId, services.now() - sentAt, loadConfig);
      return { ok: true, value: { first: first.value, rest: iterator, cancel } };
    } catch (err) {
      await cancel().catch(() => undefined);
      return { ok: false, failure: protocolFailure(err, signal) };
    }
  });
}

/** Calls `done` once the iterator finishes, throws or is returned early. */
function untilDone<T>(it: AsyncIterator<T>, done: () => void): AsyncIterator<T> {
  return {
    next: async () => {
      try {
        const r = await it.next();
        if (r.done === true) done();
        return r;
      } catch (err) {
        done();
        throw err;
      }
    },
    return: async (value?: unknown) => {
      done();
      return (await it.return?.(value)) ?? { done: true, value: undefined as T };
    },
  };
}

export function embeddingsAttempt(services: Services, req: EmbeddingsRequest, trace?: AttemptTrace) {
  return tracedAttempt(trace, async (a, signal, traceparent): Promise<AttemptOutcome<EmbeddingsResponse>> => {
    const prepared = prepare(services, a);
    if (!prepared.ok) return prepared;
    const { adapter, provider } = prepared.value;
    if (adapter.embeddingsRequest === undefined || adapter.parseEmbeddingsResponse === undefined) {
      return { ok: false, failure: { kind: "unsupported", message: "provider has no embeddings API" } };
    }
    const embed = adapter.embeddingsRequest.bind(adapter);
    const request = translate(() => new Request(embed(provider, a.upstreamModel, req), { signal }));
    if (!(request instanceof Request)) return { ok: false, failure: request };
    const sent = await send(services, provider, request, signal, traceparent, adapter.refusalError);
    if (!(sent instanceof Response)) return { ok: false, failure: sent };
    try {
      return { ok: true, value: adapter.parseEmbeddingsResponse(await sent.json(), a.upstreamModel) };
    } catch (err) {
      return { ok: false, failure: protocolFailure(err, signal) };
    }
  });
}
