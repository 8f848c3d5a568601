import { messages } from "./anthropic-routes";
import { anthropicErrorBody } from "./errors";
import { generate } from "./gemini-routes";
import type { GoogleOAuthFake } from "./google-oauth-fake";
import type { FakeRoute, RouteInput } from "./route";

/**
 * Google Vertex AI under `/vertex/v1/projects/{project}/locations/{location}/publishers/...`: Gemini
 * (`google/models/{model}:generateContent | :streamGenerateContent`) and Anthropic
 * (`anthropic/models/{model}:rawPredict | :streamRawPredict`, the Messages body with `anthropic_version` and no
 * `model`). Every call needs a live OAuth access token issued by the fake's token endpoint (google-oauth-fake.ts).
 */

export const VERTEX_TEST_PROJECT = "fake-project";
export const VERTEX_TEST_REGION = "us-central1";

const PREFIX = `^/vertex/v1/projects/${VERTEX_TEST_PROJECT}/locations/${VERTEX_TEST_REGION}/publishers`;

function rawPredict(input: RouteInput, stream: boolean) {
  const body = input.body as Record<string, unknown> | null;
  const bad = (message: string) => ({ kind: "json" as const, status: 400, body: anthropicErrorBody(400, message) });
  if (typeof body !== "object" || body === null) return bad("body must be an object");
  if (body.anthropic_version !== "vertex-2023-10-16") return bad("anthropic_version: must be vertex-2023-10-16");
  if ("model" in body) return bad("model: Extra inputs are not permitted");
  if ((body.stream === true) !== stream) return bad(`stream must be ${stream} on this method`);
  return messages({ ...input, body: { ...body, model: input.model } });
}

export function vertexRoutes(oauth: GoogleOAuthFake): FakeRoute[] {
  const authenticate = (raw: { headers: import("node:http").IncomingHttpHeaders }) => oauth.checkBearer(raw.headers);
  return [
    {
      dialect: "gemini",
      method: "POST",
      pattern: new RegExp(`${PREFIX}/google/models/(.+):generateContent$`),
      modelFrom: "path",
      authenticate,
      handle: (input) => generate(input, "json"),
    },
    {
      dialect: "gemini",
      method: "POST",
      pattern: new RegExp(`${PREFIX}/google/models/(.+):streamGenerateContent$`),
      modelFrom: "path",
      authenticate,
      handle: (input) => generate(input, "stream"),
    },
    {
      dialect: "anthropic",
      method: "POST",
      pattern: new RegExp(`${PREFIX}/anthropic/models/(.+):rawPredict$`),
      modelFrom: "path",
      authenticate,
      handle: (input) => rawPredict(input, false),
    },
    {
      dialect: "anthropic",
      method: "POST",
      pattern: new RegExp(`${PREFIX}/anthropic/models/(.+):streamRawPredict$`),
      modelFrom: "path",
      authenticate,
      handle: (input) => rawPredict(input, true),
    },
  ];
}
