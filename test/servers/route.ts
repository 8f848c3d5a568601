import type { IncomingHttpHeaders } from "node:http";
import type { Directives } from "./directives";
import type { Dialect } from "./errors";
import type { Outcome } from "./outcome";

/** Everything a route needs; the model is already stripped of its `;key=value` directives. */
export interface RouteInput {
  body: unknown;
  model: string;
  directives: Directives;
  query: URLSearchParams;
  /** The path's first capture, for `rawBody` routes (an id in the path). */
  pathParam?: string;
  /** Unique per request, for response ids. */
  seq: number;
  /** `http://host:port` as the caller addressed this server (for URLs it hands out). */
  origin?: string;
}

/** The request as it arrived, for routes that check signatures or tokens. */
export interface RawRequest {
  method: string;
  /** Path as sent on the request line, still percent-encoded, without the query. */
  rawPath: string;
  /** Query string without `?` ("" when none). */
  rawQuery: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface FakeRoute {
  dialect: Dialect;
  method: "GET" | "POST";
  pattern: RegExp;
  /** Where the (directive-carrying) model name is: the JSON body's `model`, the first path capture, or nowhere. */
  modelFrom: "body" | "path" | "none";
  /** The body is not JSON (a multipart upload): the route gets it as text and POST skips the JSON check. */
  rawBody?: true;
  /** A POST that takes no body (Anthropic's batch cancel): an empty body is not a JSON error. */
  bodyless?: true;
  handle(input: RouteInput): Outcome;
  /** Checked before any fault directive, as a real API authenticates first: an outcome here refuses the request. */
  authenticate?(raw: RawRequest): Outcome | undefined;
}
