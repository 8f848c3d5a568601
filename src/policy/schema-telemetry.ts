import { z } from "zod";

/** Default cap on the prompt or answer text exported per span attribute when a policy opts in. */
export const DEFAULT_MAX_CONTENT_CHARS = 4096;

export const TelemetrySchema = z
  .strictObject({
    capture_content: z
      .boolean()
      .optional()
      .describe(
        "Export the prompt and the answer text on the request's root span (`gen_ai.input.messages`, " +
          "`gen_ai.output.messages`, as the OpenTelemetry GenAI conventions name them). Default false: no prompt or " +
          "answer text ever reaches the trace backend. Turn it on only where that backend may hold your tenants' data.",
      ),
    max_content_chars: z
      .number()
      .int({ error: "must be an integer" })
      .min(64, { error: "must be at least 64" })
      .max(65_536, { error: "must be at most 65536" })
      .optional()
      .describe(
        `With capture_content: the longest text exported per message, in characters; longer text is cut and marked. Default ${DEFAULT_MAX_CONTENT_CHARS}.`,
      ),
  })
  .describe(
    "What this tenant's traces may carry (OpenTelemetry export is configured by environment; see README). On a " +
      "tenant, each field overrides the plan's.",
  );
