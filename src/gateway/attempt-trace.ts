import { genAiProviderName } from "../providers";
import type { AttemptTrace } from "./attempt-span";
import type { ChatContext } from "./types";

/**
 * How this request's upstream attempts are traced, or undefined with telemetry off (the attempts then run untouched).
 * `server.address` is the host of the provider's resolved base URL.
 */
export function attemptTrace(ctx: ChatContext, operation: AttemptTrace["operation"]): AttemptTrace | undefined {
  const { services } = ctx;
  if (!services.telemetry.enabled) return undefined;
  return {
    telemetry: services.telemetry,
    parent: ctx.span,
    operation,
    provider: (providerId) => {
      const config = services.policy.providers[providerId];
      if (config === undefined) return undefined;
      const resolved = services.providers.get(providerId);
      let address: string | undefined;
      if (resolved?.ok === true) {
        try {
          address = new URL(resolved.provider.baseUrl).hostname;
        } catch {
          address = undefined;
        }
      }
      return { name: genAiProviderName(config.type), address };
    },
  };
}
