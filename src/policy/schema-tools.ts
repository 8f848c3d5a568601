import { z } from "zod";
import { declaredTypes, jsonSchemaProblems } from "./json-schema-subset";
import { CountSchema, headersSchema, uniqueList } from "./schema-fields";
import { refusedToolHeader } from "./tool-headers";
import { allowedHostProblem, defaultAllowedPorts, parseAllowedHost, parseUrlTemplate } from "./tool-url";

/**
 * Tools the gateway executes itself when a model calls them: an HTTP request built from the model's arguments,
 * confined to listed hosts and ports, with bounded size and time. Everything checkable without the network is
 * checked here, so a tool that compiles can at least be called.
 */

// biome-ignore lint/suspicious/noTemplateCurlyInString: this is the placeholder syntax admins write, shown in docs.
const VAR = "`${VAR}`";

/** The rule OpenAI applies to function names, so a tool name is accepted by every upstream. */
const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

export const ToolNameSchema = z.string().regex(TOOL_NAME_PATTERN, {
  error: 'use 1-64 letters, digits, "_" or "-" (the rule for function names in the OpenAI API)',
});

/** The same shape as API key tags (admin API), so a tool's `key_tags` can name them. */
const KeyTagSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, {
  error: "must be 1-64 of A-Z a-z 0-9 _ . : - (not starting with a symbol)",
});

function bounded(min: number, max: number) {
  const error = `must be a whole number between ${min} and ${max}`;
  return z.int({ error }).min(min, { error }).max(max, { error });
}

const ResultSchema = z
  .strictObject({
    format: z
      .enum(["text", "json"])
      .default("text")
      .describe("`text`: the response body as text; `json`: the body parsed as JSON (a non-JSON body fails the call)."),
    fields: uniqueList(
      z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, {
        error: "must be a dot path of keys (list indexes as numbers), e.g. `current.temp_c` or `items.0.name`",
      }),
      "field",
    )
      .min(1)
      .optional()
      .describe("With `format: json`: dot paths kept from the response, everything else dropped. Absent: all of it."),
    max_chars: bounded(1, 100_000)
      .default(8000)
      .describe("The result handed to the model is cut to this many characters and marked as truncated."),
  })
  .superRefine((result, ctx) => {
    if (result.fields !== undefined && result.format !== "json") {
      ctx.addIssue({ code: "custom", path: ["fields"], message: "needs `format: json` (fields are picked from JSON)" });
    }
  })
  .describe("How the response is handed back to the model.");

const HttpImplementationSchema = z
  .strictObject({
    kind: z.literal("http").describe("The only kind for now: an HTTP request."),
    method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]).default("GET").describe("HTTP method."),
    url: z
      .string()
      .min(1)
      .max(2048)
      .describe(
        "URL template: `{name}` slots are filled with the (percent-encoded) argument `name`, which must be a " +
          `required string, number, integer or boolean property of \`parameters\`. May contain ${VAR} placeholders ` +
          "(Worker vars/secrets), filled before the slots. http or https only; no credentials, no #fragment. A slot " +
          'in the host (`https://{region}.api.example.com`) is confined by `allowed_hosts`. Example: "https://api.example.com/v1/weather/{city}?units={units}".',
      ),
    allowed_hosts: uniqueList(z.string().min(1).max(300), "host")
      .min(1, { error: "must list at least one host: the tool may only call hosts listed here" })
      .describe(
        "Every host the request, and each redirect hop, may go to: `host` or `host:port` (that port only), exact, " +
          `lower-case, punycode for internationalised names, no wildcards. May be a ${VAR} placeholder (checked at ` +
          "request time). Must include the URL's host when the URL spells it out.",
      ),
    allowed_ports: uniqueList(bounded(1, 65_535), "port")
      .min(1)
      .optional()
      .describe(
        "Ports allowed for `allowed_hosts` entries without a port. Default: [443] for an https URL, [80] for http, " +
          "[443, 80] when a placeholder supplies the scheme.",
      ),
    headers: headersSchema(refusedToolHeader)
      .default({})
      .describe(
        `Headers sent with every call; values may contain ${VAR} placeholders, e.g. \`authorization: "Bearer \${WEATHER_KEY}"\`. ` +
          "Values are never shown to callers or models. Framing, proxy and forwarding headers (`host`, " +
          "`content-length`, `transfer-encoding`, `connection`, `x-forwarded-for`, `forwarded`, `x-real-ip`, …) and " +
          "`cf-*` are refused, here and at request time (one list).",
      ),
    body: z
      .enum(["json", "none"])
      .optional()
      .describe(
        "What happens to arguments not used by the URL: `json` sends them as a JSON body, `none` drops them. " +
          "Default: `json` for POST, PUT and PATCH; `none` for GET and DELETE.",
      ),
    max_response_bytes: bounded(1, 4 * 1024 * 1024)
      .default(262_144)
      .describe("Largest response body read (after decompression); a larger one fails the call. At most 4 MiB."),
    timeout_ms: bounded(1, 30_000).default(5000).describe("Time limit for one call, redirects included."),
    max_redirects: bounded(0, 5)
      .default(0)
      .describe("Redirects followed; each hop is checked against the allowlists again. 0 refuses redirects."),
    result: ResultSchema.prefault({}),
    dangerously_allow_cloud_metadata: z
      .boolean()
      .default(false)
      .describe(
        "Let `allowed_hosts` name a link-local or cloud-metadata address (169.254.0.0/16 — e.g. 169.254.169.254 — " +
          "fe80::/10, fd00:ec2::254, 100.100.100.200, metadata.google.internal). Off by default, at build time and " +
          "on every request: on a cloud machine that address hands out the machine's own credentials.",
      ),
  })
  .superRefine((impl, ctx) => {
    impl.allowed_hosts.forEach((entry, index) => {
      const problem = allowedHostProblem(entry, impl.dangerously_allow_cloud_metadata);
      if (problem !== undefined) ctx.addIssue({ code: "custom", path: ["allowed_hosts", index], message: problem });
    });
    if (impl.method === "GET" && impl.body === "json") {
      ctx.addIssue({
        code: "custom",
        path: ["body"],
        message: "a GET request cannot carry a body; use `none` or POST",
      });
    }
  })
  .describe("How the gateway executes the tool.");

export const ToolSchema = z
  .strictObject({
    description: z
      .string()
      .min(1)
      .max(1024)
      .describe("What the tool does and when to use it; sent to the model, so write it for the model."),
    parameters: z
      .record(z.string(), z.unknown())
      .default({ type: "object", properties: {} })
      .describe(
        "JSON Schema of the arguments: an object schema using only type, properties, required, additionalProperties " +
          "(true/false), enum, const, minLength, maxLength, pattern, minimum, maximum, exclusiveMinimum, " +
          "exclusiveMaximum, items, minItems, maxItems, description, title and default; at most 8 levels deep. " +
          "Arguments are validated against it before the call.",
      ),
    max_argument_bytes: bounded(1, 1_048_576)
      .default(8192)
      .describe("Largest argument JSON accepted from the model, in bytes."),
    implementation: HttpImplementationSchema,
    max_calls_per_task: bounded(1, 100_000)
      .optional()
      .describe("Calls of this tool one task may make. Absent: only the task budget's `max_tool_calls` applies."),
    price_per_call: CountSchema.default(0).describe("Micro-credits charged per executed call."),
    key_tags: uniqueList(KeyTagSchema, "tag")
      .default([])
      .describe("When non-empty, only API keys carrying one of these tags may use the tool."),
  })
  .superRefine((tool, ctx) => {
    for (const problem of jsonSchemaProblems(tool.parameters)) {
      ctx.addIssue({ code: "custom", path: ["parameters", ...problem.path], message: problem.message });
    }
    checkUrl(tool.parameters, tool.implementation, ctx);
  })
  .describe("A tool the gateway executes when a model calls it (an allowlisted HTTP request).");

type Implementation = z.output<typeof HttpImplementationSchema>;

const SLOT_TYPES = new Set(["string", "number", "integer", "boolean"]);

function checkUrl(parameters: Record<string, unknown>, impl: Implementation, ctx: z.RefinementCtx): void {
  const at = ["implementation", "url"];
  const parsed = parseUrlTemplate(impl.url);
  if (!parsed.ok) {
    ctx.addIssue({ code: "custom", path: at, message: parsed.message });
    return;
  }
  const { info } = parsed;
  const properties = isMap(parameters.properties) ? parameters.properties : {};
  const required = Array.isArray(parameters.required) ? parameters.required : [];
  for (const slot of new Set(info.slots)) {
    const property = properties[slot];
    let problem: string | undefined;
    if (!isMap(property)) problem = `slot {${slot}} names no property of parameters`;
    else if (!required.includes(slot))
      problem = `slot {${slot}} must be listed in parameters.required (a URL cannot leave it out)`;
    else if (declaredTypes(property).length === 0 || !declaredTypes(property).every((t) => SLOT_TYPES.has(t))) {
      problem = `slot {${slot}} needs a property of type string, number, integer or boolean`;
    }
    if (problem !== undefined) ctx.addIssue({ code: "custom", path: at, message: problem });
  }
  const literal = info.literal;
  if (literal === undefined) return;
  // A placeholder entry may turn out to be the URL's host, so only fully literal allowlists are checked.
  const entries = impl.allowed_hosts.map(parseAllowedHost);
  if (impl.allowed_hosts.some((entry) => entry.includes("${"))) return;
  const sameHost = entries.filter((entry) => entry?.hostname === literal.hostname);
  const ports = impl.allowed_ports ?? defaultAllowedPorts(info.scheme);
  const portOk = sameHost.some((entry) =>
    entry?.port === undefined ? ports.includes(literal.port) : entry.port === literal.port,
  );
  if (sameHost.length === 0) {
    ctx.addIssue({
      code: "custom",
      path: ["implementation", "allowed_hosts"],
      message: `does not include "${literal.hostname}", the URL's host: the tool could never be called`,
    });
  } else if (!portOk) {
    ctx.addIssue({
      code: "custom",
      path: ["implementation", "allowed_hosts"],
      message: `allows "${literal.hostname}" but not the URL's port ${literal.port}: add it to allowed_ports or write "${literal.hostname}:${literal.port}"`,
    });
  }
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export const ToolLoopSchema = z
  .strictObject({
    max_turns: bounded(1, 20).optional().describe("Model calls per request, the first included. Default 5."),
    max_tool_calls: bounded(0, 100).optional().describe("Tool executions per request. Default 10."),
    max_wall_ms: bounded(1, 300_000)
      .optional()
      .describe("Wall time of the whole loop, in milliseconds (at most 5 minutes). Default 60000."),
  })
  .describe(
    "Bounds of the tool loop the gateway runs for one chat request that uses gateway tools. On a tenant, each " +
      "field overrides the plan's.",
  );
