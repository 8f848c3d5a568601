import { describe, expect, it } from "vitest";
import { formatPolicyError } from "../../../src/policy/compile";
import { DEFAULT_TOOL_LOOP } from "../../../src/policy/defaults";
import { JSON_SCHEMA_KEYWORDS, jsonSchemaProblems } from "../../../src/policy/json-schema-subset";
import { compileTexts, edit, expectCompiled } from "./helpers";
import { editTools, errorsOf, type InvalidCase, TOOLS_BASE } from "./tools-helpers";

const FILE = "policies/tools.yaml";
const W = "tools.get_weather";
const IMPL = `${W}.implementation`;

describe("tools compile to their runtime shape", () => {
  const policy = expectCompiled(compileTexts(TOOLS_BASE));

  it("fills every default of a GET tool with a literal https host", () => {
    expect(policy.tools.get_weather).toEqual({
      name: "get_weather",
      description: "Weather for a city.",
      parameters: {
        type: "object",
        properties: {
          city: { type: "string", minLength: 1 },
          days: { type: "integer", minimum: 1 },
          note: { type: "object", properties: { text: { type: "string" } } },
        },
        required: ["city", "days"],
        additionalProperties: false,
      },
      max_argument_bytes: 8192,
      implementation: {
        kind: "http",
        method: "GET",
        url: "https://api.weather.test/v1/{city}?days={days}",
        allowed_hosts: ["api.weather.test"],
        allowed_ports: [443],
        headers: { authorization: `Bearer \${WEATHER_KEY}` },
        body: "none",
        max_response_bytes: 262144,
        timeout_ms: 5000,
        max_redirects: 0,
        result: { format: "json", fields: ["current.temp_c"], max_chars: 8000 },
      },
      price_per_call: 0,
      key_tags: [],
    });
  });

  it("POST defaults to a JSON body; a placeholder scheme allows ports 443 and 80", () => {
    expect(policy.tools.post_note?.implementation).toMatchObject({
      method: "POST",
      body: "json",
      allowed_hosts: [`\${NOTES_HOST}`],
      allowed_ports: [443, 80],
      result: { format: "text", max_chars: 8000 },
    });
    expect(policy.tools.post_note).toMatchObject({ price_per_call: 250, key_tags: ["notes"] });
    expect(policy.tools.post_note).not.toHaveProperty("max_calls_per_task");
  });

  it("http templates default to port 80; explicit ports and options are kept", () => {
    const files = editTools(
      '      url: "https://api.weather.test/v1/{city}?days={days}"\n      allowed_hosts: [api.weather.test]\n',
      '      url: "http://api.weather.test/v1/{city}?days={days}"\n      allowed_hosts: [api.weather.test, "api.weather.test:8080"]\n      max_redirects: 5\n      timeout_ms: 30000\n',
    );
    const tool = expectCompiled(compileTexts(files)).tools.get_weather;
    expect(tool?.implementation).toMatchObject({ allowed_ports: [80], max_redirects: 5, timeout_ms: 30000 });
  });

  it("a slot in the host is allowed when allowed_hosts confines it", () => {
    const files = editTools(
      "https://api.weather.test/v1/{city}?days={days}",
      "https://{city}.weather.test/v1?days={days}",
    );
    expect(compileTexts(files).ok).toBe(true);
  });

  it("plans and tenants list tools; the tenant's own come first, without repeats; the loop is tenant over plan", () => {
    expect(policy.plans.tooled?.tools).toEqual(["get_weather"]);
    expect(policy.plans.free?.tools).toEqual([]);
    expect(policy.tenants.bob?.tools).toEqual(["post_note", "get_weather"]);
    expect(policy.tenants.bob?.tool_loop).toEqual({ max_turns: 8, max_tool_calls: 10, max_wall_ms: 30000 });
    expect(policy.tenants.acme?.tools).toEqual([]);
    expect(policy.tenants.acme?.tool_loop).toEqual(DEFAULT_TOOL_LOOP);
  });
});

const deep = (levels: number): string => {
  let schema = "{ type: string }";
  for (let i = 0; i < levels; i++) schema = `{ type: array, items: ${schema} }`;
  return schema;
};

const cases: Record<string, InvalidCase> = {
  "tool name outside the OpenAI function-name rule": {
    files: editTools("  get_weather:\n", "  get.weather:\n"),
    file: FILE,
    path: 'tools["get.weather"]',
    message: /invalid id "get\.weather": use 1-64 letters, digits, "_" or "-"/,
  },
  "parameters not an object schema": {
    files: editTools(
      "    parameters:\n      type: object\n      properties:\n        city:",
      "    parameters:\n      type: string\n      properties:\n        city:",
    ),
    file: FILE,
    path: `${W}.parameters.type`,
    message: /must be an object: write `type: object`/,
  },
  "schema keyword outside the subset": {
    files: editTools("          minLength: 1\n", "          minLength: 1\n          format: date\n"),
    file: FILE,
    path: `${W}.parameters.properties.city.format`,
    message: /unsupported JSON Schema keyword "format"; tools may use: type, properties/,
  },
  "unknown type name": {
    files: editTools("          minimum: 1\n", "          minimum: 1\n        extra:\n          type: strng\n"),
    file: FILE,
    path: `${W}.parameters.properties.extra.type`,
    message: /must be one of object, string, number, integer, boolean, array, null/,
  },
  "additionalProperties as a schema": {
    files: editTools("      additionalProperties: false\n", "      additionalProperties: { type: string }\n"),
    file: FILE,
    path: `${W}.parameters.additionalProperties`,
    message: /must be true or false/,
  },
  "pattern that is not a JS RegExp": {
    files: editTools("          minLength: 1\n", '          minLength: 1\n          pattern: "[a-"\n'),
    file: FILE,
    path: `${W}.parameters.properties.city.pattern`,
    message: /is not a valid JavaScript regular expression/,
  },
  "schema nested deeper than 8": {
    files: editTools("            text:\n              type: string\n", `            text: ${deep(7)}\n`),
    file: FILE,
    path: `${W}.parameters.properties.note.properties.text${".items".repeat(6)}`,
    message: /nests deeper than 8 levels/,
  },
  "required name that is not a property": {
    files: editTools("      required: [city, days]\n", "      required: [city, days, cty]\n"),
    file: FILE,
    path: `${W}.parameters.required[2]`,
    message: /"cty" is not one of the schema's properties \(defined: city, days, note\); did you mean "city"\?/,
  },
  "url with another scheme": {
    files: editTools("https://api.weather.test/v1/{city}", "ftp://api.weather.test/v1/{city}"),
    file: FILE,
    path: `${IMPL}.url`,
    message: /must be an http:\/\/ or https:\/\/ URL/,
  },
  "url with credentials": {
    files: editTools("https://api.weather.test/v1/{city}", "https://user:pw@api.weather.test/v1/{city}"),
    file: FILE,
    path: `${IMPL}.url`,
    message: /must not contain credentials/,
  },
  "url with a fragment": {
    files: editTools("?days={days}", "?days={days}#top"),
    file: FILE,
    path: `${IMPL}.url`,
    message: /must not contain a #fragment/,
  },
  "url slot that names no property": {
    files: editTools("/v1/{city}?", "/v1/{cty}?"),
    file: FILE,
    path: `${IMPL}.url`,
    message: /slot \{cty\} names no property of parameters/,
  },
  "url slot that is not required": {
    files: editTools("      required: [city, days]\n", "      required: [city]\n"),
    file: FILE,
    path: `${IMPL}.url`,
    message: /slot \{days\} must be listed in parameters\.required/,
  },
  "url slot of a non-scalar type": {
    files: edit("tools.yaml", "[city, days]", "[city, days, note]", editTools("?days={days}", "?days={days}&n={note}")),
    file: FILE,
    path: `${IMPL}.url`,
    message: /slot \{note\} needs a property of type string, number, integer or boolean/,
  },
  "url with a malformed placeholder": {
    files: editTools("https://api.weather.test/v1/{city}", `https://api.weather.test/v1/\${key}/{city}`),
    file: FILE,
    path: `${IMPL}.url`,
    message: /malformed placeholder/,
  },
  "url with an unmatched brace": {
    files: editTools("/v1/{city}?", "/v1/{city?"),
    file: FILE,
    path: `${IMPL}.url`,
    message: /has an unmatched \{ or \}/,
  },
  "empty allowed_hosts": {
    files: editTools("      allowed_hosts: [api.weather.test]\n", "      allowed_hosts: []\n"),
    file: FILE,
    path: `${IMPL}.allowed_hosts`,
    message: /must list at least one host/,
  },
  "non-ASCII host (suggests punycode)": {
    files: editTools("[api.weather.test]", "[api.weather.test, münchen.test]"),
    file: FILE,
    path: `${IMPL}.allowed_hosts[1]`,
    message: /write internationalised host names in punycode \("xn--mnchen-3ya\.test"\)/,
  },
  "upper-case host": {
    files: editTools("[api.weather.test]", "[api.weather.test, Api.Other.test]"),
    file: FILE,
    path: `${IMPL}.allowed_hosts[1]`,
    message: /must be lower-case: write "api\.other\.test"/,
  },
  "wildcard host": {
    files: editTools("[api.weather.test]", '[api.weather.test, "*.weather.test"]'),
    file: FILE,
    path: `${IMPL}.allowed_hosts[1]`,
    message: /wildcards are not supported/,
  },
  "host entry with a scheme or path": {
    files: editTools("[api.weather.test]", '[api.weather.test, "https://x.test/a"]'),
    file: FILE,
    path: `${IMPL}.allowed_hosts[1]`,
    message: /must be a host or host:port/,
  },
  "cloud-metadata address with an exact port": {
    files: editTools("[api.weather.test]", '[api.weather.test, "169.254.169.254:80"]'),
    file: FILE,
    path: `${IMPL}.allowed_hosts[1]`,
    message:
      /169\.254\.169\.254 is a link-local \/ cloud-metadata address: refused unless the tool sets dangerously_allow_cloud_metadata: true/,
  },
  "link-local IPv6 and metadata names": {
    files: editTools("[api.weather.test]", '[api.weather.test, "[fe80::1]:8080", "metadata.google.internal:80"]'),
    file: FILE,
    path: `${IMPL}.allowed_hosts[1]`,
    message: /cloud-metadata address/,
  },
  "port-less loopback entry (the runtime never opens it)": {
    files: editTools("[api.weather.test]", "[api.weather.test, 127.0.0.1]"),
    file: FILE,
    path: `${IMPL}.allowed_hosts[1]`,
    message: /special address \(loopback\): it is reachable only through an entry with an exact port/,
  },
  "port-less private entry": {
    files: editTools("[api.weather.test]", "[api.weather.test, 10.0.0.7, localhost]"),
    file: FILE,
    path: `${IMPL}.allowed_hosts[1]`,
    message: /special address \(private\)/,
  },
  "forwarding header the runtime refuses": {
    files: editTools("      headers:\n", '      headers:\n        X-Forwarded-For: "1.2.3.4"\n'),
    file: FILE,
    path: `${IMPL}.headers.X-Forwarded-For`,
    message: /"x-forwarded-for" is set by the gateway/,
  },
  "proxy-authorization header": {
    files: editTools("      headers:\n", '      headers:\n        Proxy-Authorization: "x"\n'),
    file: FILE,
    path: `${IMPL}.headers.Proxy-Authorization`,
    message: /"proxy-authorization" is set by the gateway/,
  },
  "allowed_hosts missing the URL's literal host": {
    files: editTools("[api.weather.test]", "[other.weather.test]"),
    file: FILE,
    path: `${IMPL}.allowed_hosts`,
    message: /does not include "api\.weather\.test", the URL's host: the tool could never be called/,
  },
  "the URL's port not allowed": {
    files: editTools("https://api.weather.test/v1", "https://api.weather.test:8443/v1"),
    file: FILE,
    path: `${IMPL}.allowed_hosts`,
    message: /allows "api\.weather\.test" but not the URL's port 8443/,
  },
  "port out of range": {
    files: editTools(
      "      allowed_hosts: [api.weather.test]\n",
      "      allowed_hosts: [api.weather.test]\n      allowed_ports: [443, 70000]\n",
    ),
    file: FILE,
    path: `${IMPL}.allowed_ports[1]`,
    message: /must be a whole number between 1 and 65535/,
  },
  "gateway-owned header": {
    files: editTools("      headers:\n", "      headers:\n        Host: evil.test\n"),
    file: FILE,
    path: `${IMPL}.headers.Host`,
    message: /"host" is set by the gateway/,
  },
  "cf-* header": {
    files: editTools("      headers:\n", '      headers:\n        CF-Connecting-IP: "1.2.3.4"\n'),
    file: FILE,
    path: `${IMPL}.headers.CF-Connecting-IP`,
    message: /cf-\* headers are reserved for Cloudflare/,
  },
  "header value with a line break": {
    files: editTools("      headers:\n", '      headers:\n        x-a: "one\\r\\nx-b: two"\n'),
    file: FILE,
    path: `${IMPL}.headers.x-a`,
    message: /must not contain line breaks/,
  },
  "header name that is not a token": {
    files: editTools("      headers:\n", '      headers:\n        "x bad": "1"\n'),
    file: FILE,
    path: `${IMPL}.headers["x bad"]`,
    message: /is not a valid HTTP header name/,
  },
  "GET with a JSON body": {
    files: editTools("      method: GET\n", "      method: GET\n      body: json\n"),
    file: FILE,
    path: `${IMPL}.body`,
    message: /a GET request cannot carry a body/,
  },
  "max_response_bytes above 4 MiB": {
    files: editTools("      method: GET\n", "      method: GET\n      max_response_bytes: 4194305\n"),
    file: FILE,
    path: `${IMPL}.max_response_bytes`,
    message: /between 1 and 4194304/,
  },
  "timeout_ms above 30 s": {
    files: editTools("      method: GET\n", "      method: GET\n      timeout_ms: 30001\n"),
    file: FILE,
    path: `${IMPL}.timeout_ms`,
    message: /between 1 and 30000/,
  },
  "more than 5 redirects": {
    files: editTools("      method: GET\n", "      method: GET\n      max_redirects: 6\n"),
    file: FILE,
    path: `${IMPL}.max_redirects`,
    message: /between 0 and 5/,
  },
  "result fields without json": {
    files: editTools("        format: json\n", "        format: text\n"),
    file: FILE,
    path: `${IMPL}.result.fields`,
    message: /needs `format: json`/,
  },
  "unknown tool on a plan": {
    files: editTools("    tools: [get_weather]\n", "    tools: [get_wether]\n"),
    file: FILE,
    path: "plans.tooled.tools[0]",
    message: /^unknown tool "get_wether" \(known: get_weather, post_note\); did you mean "get_weather"\?$/,
  },
  "unknown tool on a tenant": {
    files: editTools("    tools: [post_note, get_weather]\n", "    tools: [post-note, get_weather]\n"),
    file: FILE,
    path: "tenants.bob.tools[0]",
    message: /unknown tool "post-note".*did you mean "post_note"\?/,
  },
  "tool_loop.max_turns above 20": {
    files: editTools("      max_turns: 8\n", "      max_turns: 21\n"),
    file: FILE,
    path: "tenants.bob.tool_loop.max_turns",
    message: /between 1 and 20/,
  },
  "tool_loop.max_tool_calls above 100": {
    files: editTools("      max_turns: 3\n", "      max_turns: 3\n      max_tool_calls: 101\n"),
    file: FILE,
    path: "plans.tooled.tool_loop.max_tool_calls",
    message: /between 0 and 100/,
  },
  "tool_loop.max_wall_ms above 5 minutes": {
    files: editTools("      max_wall_ms: 30000\n", "      max_wall_ms: 300001\n"),
    file: FILE,
    path: "plans.tooled.tool_loop.max_wall_ms",
    message: /between 1 and 300000/,
  },
  "credit hold shorter than the tool loop": {
    files: editTools("    plan: tooled\n", "    plan: tooled\n    credits:\n      hold_ttl_s: 30\n"),
    file: FILE,
    path: "tenants.bob",
    message: /tool_loop\.max_wall_ms is 30000 \(from plan "tooled"\), not below credits\.hold_ttl_s 30s/,
  },
};

describe("invalid tool policies are refused with file:path: problem", () => {
  it.each(Object.entries(cases))("%s", (_name, c) => {
    const errors = errorsOf(c.files);
    const match = errors.find((e) => e.file === c.file && e.path === c.path && c.message.test(e.message));
    expect(match, `got:\n${errors.map(formatPolicyError).join("\n")}`).toBeDefined();
    expect(match?.line).toBeGreaterThan(0);
  });
});

describe("special addresses in allowed_hosts", () => {
  it("a metadata address compiles only with dangerously_allow_cloud_metadata, which is then on the compiled tool", () => {
    const files = editTools(
      "      allowed_hosts: [api.weather.test]\n",
      '      allowed_hosts: [api.weather.test, "169.254.169.254:80"]\n      dangerously_allow_cloud_metadata: true\n',
    );
    const policy = expectCompiled(compileTexts(files));
    expect(policy.tools.get_weather?.implementation.dangerously_allow_cloud_metadata).toBe(true);
    expect(policy.tools.post_note?.implementation).not.toHaveProperty("dangerously_allow_cloud_metadata");
  });

  it("loopback with an exact port compiles (how tests and npm start reach their local targets)", () => {
    expectCompiled(compileTexts(editTools("[api.weather.test]", '[api.weather.test, "127.0.0.1:8788", "[::1]:9000"]')));
  });
});

describe("the JSON Schema subset", () => {
  it("accepts every keyword it lists", () => {
    const schema = {
      type: "object",
      title: "t",
      description: "d",
      properties: {
        s: { type: "string", minLength: 1, maxLength: 5, pattern: "^a", enum: ["a"], default: "a" },
        n: { type: ["number", "null"], minimum: 0, maximum: 9, exclusiveMinimum: -1, exclusiveMaximum: 10 },
        c: { const: 3 },
        l: { type: "array", items: { type: "boolean" }, minItems: 0, maxItems: 3 },
      },
      required: ["s"],
      additionalProperties: false,
    };
    const used = new Set<string>();
    const walk = (s: Record<string, unknown>) => {
      for (const [k, v] of Object.entries(s)) {
        used.add(k);
        if (k === "items") walk(v as Record<string, unknown>);
        if (k === "properties") for (const p of Object.values(v as object)) walk(p as Record<string, unknown>);
      }
    };
    walk(schema);
    expect([...used].sort()).toEqual([...JSON_SCHEMA_KEYWORDS].sort());
    expect(jsonSchemaProblems(schema)).toEqual([]);
  });

  it("refuses draft-04 boolean exclusive bounds and tuple items", () => {
    const problems = jsonSchemaProblems({
      type: "object",
      properties: { n: { type: "number", exclusiveMinimum: true }, l: { type: "array", items: [{}] } },
    });
    expect(problems.map((p) => p.path.join("."))).toEqual(["properties.n.exclusiveMinimum", "properties.l.items"]);
  });
});
