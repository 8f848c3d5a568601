/** The admin API over HTTP: one request, and the gateway's error envelope turned into a typed error. */

export class GatewayCallError extends Error {
  override name = "GatewayCallError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly param: string | null,
    readonly requestId: string | null,
  ) {
    super(message);
  }
}

export class ConnectionError extends Error {
  override name = "ConnectionError";
}

export interface AdminClient {
  request(method: "GET" | "POST", path: string, body?: unknown): Promise<unknown>;
}

const TIMEOUT_MS = 30_000;

interface Envelope {
  error?: { code?: unknown; message?: unknown; param?: unknown };
  request_id?: unknown;
}

function asString(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

export function createClient(baseUrl: string, adminSecret: string, fetchImpl: typeof fetch = fetch): AdminClient {
  const base = baseUrl.replace(/\/+$/, "");
  return {
    async request(method, path, body) {
      const headers: Record<string, string> = {
        authorization: `Bearer ${adminSecret}`,
        accept: "application/json",
        "user-agent": "gateway-cli",
      };
      const init: RequestInit = { method, headers, signal: AbortSignal.timeout(TIMEOUT_MS) };
      if (body !== undefined) {
        headers["content-type"] = "application/json";
        init.body = JSON.stringify(body);
      }
      let res: Response;
      try {
        res = await fetchImpl(`${base}${path}`, init);
      } catch (err) {
        const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
        throw new ConnectionError(`cannot reach the gateway at ${base}: ${cause}`);
      }
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text === "" ? undefined : JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      if (res.ok) {
        if (parsed === undefined)
          throw new GatewayCallError(res.status, "bad_response", "the gateway answered without JSON", null, null);
        return parsed;
      }
      const envelope = (typeof parsed === "object" && parsed !== null ? parsed : {}) as Envelope;
      const code = asString(envelope.error?.code) ?? `http_${res.status}`;
      const message = asString(envelope.error?.message) ?? (text.slice(0, 200) || res.statusText);
      throw new GatewayCallError(
        res.status,
        code,
        message,
        asString(envelope.error?.param),
        asString(envelope.request_id),
      );
    },
  };
}
