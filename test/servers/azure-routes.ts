import { AZURE_TEST_API_KEY, AZURE_TEST_ENTRA_TOKEN } from "./cloud-credentials";
import { chat, embeddings } from "./openai-routes";
import type { Outcome } from "./outcome";
import type { FakeRoute, RawRequest, RouteInput } from "./route";

/**
 * Azure OpenAI under `/azure/openai`: the deployment surface (`/deployments/{deployment}/chat/completions`, which
 * requires `?api-version=`) and the v1 surface (`/v1/chat/completions`, deployment in `model`). Callers authenticate
 * with `api-key` or an Entra ID bearer token. A deployment whose name contains `content-filter` refuses the prompt
 * the way Azure's content management policy does (400 `content_filter` with `innererror`); one containing
 * `filtered-output` answers with `finish_reason: content_filter`.
 */

function azureError(status: number, code: string, message: string): Outcome {
  return { kind: "json", status, body: { error: { code, message } } };
}

function authenticate(raw: RawRequest): Outcome | undefined {
  if (raw.headers["api-key"] === AZURE_TEST_API_KEY) return undefined;
  if (raw.headers.authorization === `Bearer ${AZURE_TEST_ENTRA_TOKEN}`) return undefined;
  return azureError(
    401,
    "401",
    "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key.",
  );
}

function promptFiltered(): Outcome {
  const category = { filtered: false, severity: "safe" };
  return {
    kind: "json",
    status: 400,
    body: {
      error: {
        message:
          "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry.",
        type: null,
        param: "prompt",
        code: "content_filter",
        status: 400,
        innererror: {
          code: "ResponsibleAIPolicyViolation",
          content_filter_result: {
            hate: category,
            jailbreak: { filtered: false, detected: false },
            self_harm: category,
            sexual: category,
            violence: { filtered: true, severity: "high" },
          },
        },
      },
    },
  };
}

function azureChat(input: RouteInput, model: string): Outcome {
  if (model.includes("content-filter")) return promptFiltered();
  const outcome = chat({ ...input, body: { ...(input.body as object), model }, model });
  if (!model.includes("filtered-output") || outcome.kind !== "json" || outcome.status !== 200) return outcome;
  const body = outcome.body as { choices: { finish_reason: string; message: { content: string | null } }[] };
  for (const c of body.choices) {
    c.finish_reason = "content_filter";
    c.message.content = "";
  }
  return outcome;
}

function apiVersionMissing(input: RouteInput): Outcome | undefined {
  const version = input.query.get("api-version");
  if (version !== null && /^\d{4}-\d{2}-\d{2}(-preview)?$/.test(version)) return undefined;
  return azureError(404, "404", "Resource not found");
}

export const azureRoutes: FakeRoute[] = [
  {
    dialect: "openai",
    method: "POST",
    pattern: /^\/azure\/openai\/deployments\/([^/]+)\/embeddings$/,
    modelFrom: "path",
    authenticate,
    handle: (input) =>
      apiVersionMissing(input) ?? embeddings({ ...input, body: { ...(input.body as object), model: input.model } }),
  },
  {
    dialect: "openai",
    method: "POST",
    pattern: /^\/azure\/openai\/v1\/embeddings$/,
    modelFrom: "body",
    authenticate,
    handle: embeddings,
  },
  {
    dialect: "openai",
    method: "POST",
    pattern: /^\/azure\/openai\/deployments\/([^/]+)\/chat\/completions$/,
    modelFrom: "path",
    authenticate,
    handle: (input) => apiVersionMissing(input) ?? azureChat(input, input.model),
  },
  {
    dialect: "openai",
    method: "POST",
    pattern: /^\/azure\/openai\/v1\/chat\/completions$/,
    modelFrom: "body",
    authenticate,
    handle: (input) => azureChat(input, input.model),
  },
];
