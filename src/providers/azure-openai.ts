/**
 * Azure OpenAI: the OpenAI wire format at deployment-scoped addresses. With a dated `api_version` the classic surface
 * (`/deployments/{deployment}/chat/completions?api-version=...`); with `v1` (the default) the `/openai/v1/` surface,
 * where the deployment name goes in `model`. Target models map to deployments through the provider's `deployments`
 * setting (a model not listed is its own deployment name). Azure's content-filter refusal (a 400 with
 * `code: content_filter`) becomes our `content_filtered` error; a filtered answer keeps `finish_reason:
 * content_filter`, which OpenAI clients already know.
 */
import { z } from "zod";
import { GatewayError } from "../errors";
import { createOpenAICompatibleAdapter } from "./openai-compatible";
import type { ProviderAdapter, ResolvedProvider } from "./types";

const openai = createOpenAICompatibleAdapter();

function deploymentOf(provider: ResolvedProvider, model: string): string {
  return provider.settings?.deployments?.[model] ?? model;
}

/** The provider as the shared OpenAI adapter should see it: its base URL already scoped to the deployment. */
function scoped(provider: ResolvedProvider, deployment: string): { provider: ResolvedProvider; query: string } {
  const version = provider.settings?.api_version ?? "v1";
  if (version === "v1") return { provider: { ...provider, baseUrl: `${provider.baseUrl}/v1` }, query: "" };
  const baseUrl = `${provider.baseUrl}/deployments/${encodeURIComponent(deployment)}`;
  return { provider: { ...provider, baseUrl }, query: `?api-version=${encodeURIComponent(version)}` };
}

function withQuery(request: Request, query: string): Request {
  return query === "" ? request : new Request(`${request.url}${query}`, request);
}

const contentFilterError = z.looseObject({
  error: z.looseObject({ code: z.literal("content_filter"), param: z.string().nullish() }),
});

export const azureOpenAIAdapter: ProviderAdapter = {
  format: "openai",
  unsupportedParams: (req) => openai.unsupportedParams(req),
  chatRequest(provider, upstreamModel, req, opts) {
    const deployment = deploymentOf(provider, upstreamModel);
    const target = scoped(provider, deployment);
    return withQuery(openai.chatRequest(target.provider, deployment, req, opts), target.query);
  },
  parseChatResponse: (body, upstreamModel) => openai.parseChatResponse(body, upstreamModel),
  parseChatStream: (body, upstreamModel) => openai.parseChatStream(body, upstreamModel),
  embeddingsRequest(provider, upstreamModel, req) {
    const deployment = deploymentOf(provider, upstreamModel);
    const target = scoped(provider, deployment);
    const embed = openai.embeddingsRequest;
    if (embed === undefined) throw new Error("the OpenAI adapter has no embeddings request");
    return withQuery(embed(target.provider, deployment, req), target.query);
  },
  parseEmbeddingsResponse: (body, upstreamModel) => {
    const parse = openai.parseEmbeddingsResponse;
    if (parse === undefined) throw new Error("the OpenAI adapter has no embeddings parser");
    return parse(body, upstreamModel);
  },
  refusalError(_status, body) {
    const parsed = contentFilterError.safeParse(body);
    if (!parsed.success) return undefined;
    return new GatewayError(
      "content_filtered",
      "The upstream's content filter refused this request (Azure OpenAI content management policy)",
      { param: parsed.data.error.param ?? "messages" },
    );
  },
};
