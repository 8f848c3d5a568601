import type { PolicyError } from "../../../src/policy/compile";
import { BASE, compileTexts, edit } from "./helpers";

/** BASE plus a tools file: a GET tool with a literal host, a POST tool behind placeholders, a plan and a tenant. */
export const TOOLS_BASE: Record<string, string> = {
  ...BASE,
  "tools.yaml": `tools:
  get_weather:
    description: Weather for a city.
    parameters:
      type: object
      properties:
        city:
          type: string
          minLength: 1
        days:
          type: integer
          minimum: 1
        note:
          type: object
          properties:
            text:
              type: string
      required: [city, days]
      additionalProperties: false
    implementation:
      kind: http
      method: GET
      url: "https://api.weather.test/v1/{city}?days={days}"
      allowed_hosts: [api.weather.test]
      headers:
        Authorization: "Bearer \${WEATHER_KEY}"
      result:
        format: json
        fields: [current.temp_c]
  post_note:
    description: Saves a note.
    parameters:
      type: object
      properties:
        text:
          type: string
    implementation:
      kind: http
      method: POST
      url: "\${NOTES_URL}/notes"
      allowed_hosts: ["\${NOTES_HOST}"]
    price_per_call: 250
    key_tags: [notes]
plans:
  tooled:
    routes: [auto]
    tools: [get_weather]
    tool_loop:
      max_turns: 3
      max_wall_ms: 30000
tenants:
  bob:
    plan: tooled
    tools: [post_note, get_weather]
    tool_loop:
      max_turns: 8
`,
};

export const editTools = (from: string, to: string) => edit("tools.yaml", from, to, TOOLS_BASE);

export function errorsOf(files: Record<string, string>): PolicyError[] {
  const result = compileTexts(files);
  if (result.ok) throw new Error("expected the policy to be refused");
  return result.errors;
}

export interface InvalidCase {
  files: Record<string, string>;
  file: string;
  path: string;
  message: RegExp;
}
