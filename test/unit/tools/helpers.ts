import type { ToolConfig, ToolHttpConfig } from "../../../src/policy/types";

/** A compiled tool definition with test defaults; `impl` overrides implementation fields. */
export function toolConfig(overrides: Partial<ToolConfig> = {}, impl: Partial<ToolHttpConfig> = {}): ToolConfig {
  return {
    name: "get_weather",
    description: "Weather.",
    parameters: {
      type: "object",
      properties: { city: { type: "string", minLength: 1, maxLength: 100 } },
      required: ["city"],
      additionalProperties: false,
    },
    max_argument_bytes: 256,
    price_per_call: 0,
    key_tags: [],
    ...overrides,
    implementation: {
      kind: "http",
      method: "GET",
      url: "https://api.example.com/weather/{city}",
      allowed_hosts: ["api.example.com"],
      allowed_ports: [443],
      headers: {},
      body: "none",
      max_response_bytes: 4096,
      timeout_ms: 1000,
      max_redirects: 0,
      result: { format: "text", max_chars: 1000 },
      ...impl,
    },
  };
}

export const vars =
  (table: Record<string, string>) =>
  (name: string): string | undefined =>
    table[name];
