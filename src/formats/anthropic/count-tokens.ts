/**
 * `POST /v1/messages/count_tokens` in both directions: the body clients send us (a Messages request without the
 * generation settings) and the body and answer of Anthropic's own endpoint.
 */
import { z } from "zod";
import { UpstreamProtocolError } from "../../errors/upstream-protocol-error";
import { type AnthropicRequest, anthropicRequestSchema } from "./request-schema";

/** What count_tokens takes: the prompt side of a Messages request (model, system, messages, tools, thinking). */
export const countTokensSchema = anthropicRequestSchema.omit({
  max_tokens: true,
  stream: true,
  stop_sequences: true,
  temperature: true,
  top_p: true,
  top_k: true,
  metadata: true,
  service_tier: true,
});

/** The prompt side of a translated Messages request, as Anthropic's count_tokens endpoint takes it. */
export function countTokensBody(req: AnthropicRequest): Record<string, unknown> {
  const {
    max_tokens: _m,
    stream: _s,
    stop_sequences: _ss,
    temperature: _t,
    top_p: _p,
    top_k: _k,
    metadata: _md,
    service_tier: _st,
    ...prompt
  } = req;
  return prompt;
}

const answer = z.looseObject({ input_tokens: z.number().int().nonnegative() });

export function parseCountTokens(body: unknown): number {
  const parsed = answer.safeParse(body);
  if (!parsed.success) throw new UpstreamProtocolError("Anthropic count_tokens answer has no input_tokens count");
  return parsed.data.input_tokens;
}
