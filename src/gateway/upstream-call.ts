import type { ChatRequest, ChatResponse, EmbeddingsRequest, EmbeddingsResponse } from "../canonical/chat";
import type { Services } from "../context";
import { UpstreamProtocolError } from "../errors/upstream-protocol-error";
import { getAdapter, type ResolveResult, resolveProvider } from "../providers";
import type { ProviderAdapter, ResolvedProvider } from "../providers/types";
import type { AttemptOutcome, ExecuteDeps, Failure } from "../routing/execute";
import type { PlannedAttempt } from "../routing/plan";
import { sleep } from "../routing/sleep";
import type { StreamStart } from "../streaming/stream-start";

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
function resolveCached(services: Services, providerId: string): ResolveResult | undefined {
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
    // become live once their key is added. The reason names variables, never values.
    console.warn(`provider ${a.providerId} not configured: ${resolved.reason}`);
    return { ok: false, failure: { kind: "unsupported", message: `provider ${a.providerId} is not configured` } };
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
async function send(services: Services, request: Request, signal: AbortSignal): Promise<Response | Failure> {
  try {
    const res = await services.fetch(request);
    if (res.ok) return res;
    // The upstream's error body is dropped on purpose: clients never see a raw provider error shape.
    await res.body?.cancel();
    const failure: Failure = { kind: "status", status: res.status };
    const hint = retryAfterMs(res);
    if (hint !== undefined) failure.retryAfterMs = hint;
    return failure;
  } catch (err) {
    if (signal.aborted) return { kind: "timeout" };
    return { kind: "connection", message: err instanceof Error ? err.message : String(err) };
  }
}

function protocolFailure(err: unknown, signal: AbortSignal): Failure {
  if (signal.aborted) return { kind: "timeout" };
  if (err instanceof UpstreamProtocolError || err instanceof SyntaxError)
    return { kind: "bad_response", message: err.message };
  return { kind: "connection", message: err instanceof Error ? err.message : String(err) };
}

export function chatJsonAttempt(services: Services, req: ChatRequest) {
  return async (a: PlannedAttempt, signal: AbortSignal): Promise<AttemptOutcome<ChatResponse>> => {
    const prepared = prepare(services, a);
    if (!prepared.ok) return prepared;
    const { adapter, provider } = prepared.value;
    const sent = await send(
      services,
      adapter.chatRequest(provider, a.upstreamModel, req, {
        stream: false,
        defaultMaxTokens: a.model.max_output_tokens,
        signal,
      }),
      signal,
    );
    if (!(sent instanceof Response)) return { ok: false, failure: sent };
    try {
      return { ok: true, value: adapter.parseChatResponse(await sent.json(), a.upstreamModel) };
    } catch (err) {
      return { ok: false, failure: protocolFailure(err, signal) };
    }
  };
}

export function chatStreamAttempt(services: Services, req: ChatRequest) {
  return async (a: PlannedAttempt, signal: AbortSignal): Promise<AttemptOutcome<StreamStart>> => {
    const prepared = prepare(services, a);
    if (!prepared.ok) return prepared;
    const { adapter, provider } = prepared.value;
    // Our own abort, on top of the executor's (timeout, client gone): a committed stream is stopped by aborting its
    // fetch, since a body whose reader is mid-read cannot be cancelled directly.
    const stop = new AbortController();
    const sent = await send(
      services,
      adapter.chatRequest(provider, a.upstreamModel, req, {
        stream: true,
        defaultMaxTokens: a.model.max_output_tokens,
        signal: AbortSignal.any([signal, stop.signal]),
      }),
      signal,
    );
    if (!(sent instanceof Response)) return { ok: false, failure: sent };
    const body = sent.body;
    if (body === null) return { ok: false, failure: { kind: "bad_response", message: "empty stream body" } };
    const iterator = adapter.parseChatStream(body, a.upstreamModel)[Symbol.asyncIterator]();
    const cancel = async () => {
      stop.abort(new DOMException("stream cancelled", "AbortError"));
      await iterator.return?.();
    };
    try {
      const first = await iterator.next();
      if (first.done) return { ok: false, failure: { kind: "bad_response", message: "stream ended before any event" } };
      return { ok: true, value: { first: first.value, rest: iterator, cancel } };
    } catch (err) {
      await cancel().catch(() => undefined);
      return { ok: false, failure: protocolFailure(err, signal) };
    }
  };
}

export function embeddingsAttempt(services: Services, req: EmbeddingsRequest) {
  return async (a: PlannedAttempt, signal: AbortSignal): Promise<AttemptOutcome<EmbeddingsResponse>> => {
    const prepared = prepare(services, a);
    if (!prepared.ok) return prepared;
    const { adapter, provider } = prepared.value;
    if (adapter.embeddingsRequest === undefined || adapter.parseEmbeddingsResponse === undefined) {
      return { ok: false, failure: { kind: "unsupported", message: "provider has no embeddings API" } };
    }
    let request: Request;
    try {
      const unsigned = adapter.embeddingsRequest(provider, a.upstreamModel, req);
      request = new Request(unsigned, { signal });
    } catch (err) {
      return { ok: false, failure: { kind: "unsupported", message: err instanceof Error ? err.message : String(err) } };
    }
    const sent = await send(services, request, signal);
    if (!(sent instanceof Response)) return { ok: false, failure: sent };
    try {
      return { ok: true, value: adapter.parseEmbeddingsResponse(await sent.json(), a.upstreamModel) };
    } catch (err) {
      return { ok: false, failure: protocolFailure(err, signal) };
    }
  };
}
