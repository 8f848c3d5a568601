import type { Directives } from "./directives";
import type { Dialect } from "./errors";
import type { Outcome } from "./outcome";

/** Everything a route needs; the model is already stripped of its `;key=value` directives. */
export interface RouteInput {
  body: unknown;
  model: string;
  directives: Directives;
  query: URLSearchParams;
  /** Unique per request, for response ids. */
  seq: number;
}

export interface FakeRoute {
  dialect: Dialect;
  method: "GET" | "POST";
  pattern: RegExp;
  /** Where the (directive-carrying) model name is: the JSON body's `model`, the first path capture, or nowhere. */
  modelFrom: "body" | "path" | "none";
  handle(input: RouteInput): Outcome;
}
