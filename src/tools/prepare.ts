import type { ToolConfig } from "../policy/types";
import type { SafeRequest } from "./fetch-safe";
import { type Allowlist, resolveAllowlist } from "./host-allowlist";
import { checkOutboundUrl } from "./outbound-url";
import type { Lookup } from "./placeholders";
import { type Redactor, redactor } from "./redact";
import { buildRequestHeaders } from "./request-headers";
import { fillUrlTemplate } from "./url-template";

/**
 * Turns validated arguments into the outbound request, checked before any money moves or byte leaves: allowlist,
 * URL (template filled, then the outbound check), headers from the policy, and the JSON body of the arguments the
 * URL did not use. `detail` of a misconfiguration is for the logs (it names variables, never values).
 */
export type Prepared =
  | { ok: true; request: SafeRequest; allowlist: Allowlist; redact: Redactor }
  | { ok: false; code: "tool_misconfigured"; message: string; detail: string }
  | { ok: false; code: "tool_arguments_invalid"; message: string; param: string }
  | { ok: false; code: "tool_target_refused"; message: string };

const USER_AGENT = "edge-inference-router-tools/1";

function misconfigured(tool: ToolConfig, detail: string): Prepared {
  return {
    ok: false,
    code: "tool_misconfigured",
    message: `Tool ${tool.name} is not configured correctly; an admin must fix its definition or variables.`,
    detail,
  };
}

export function prepareRequest(tool: ToolConfig, args: Record<string, unknown>, vars: Lookup): Prepared {
  const impl = tool.implementation;
  if (impl.kind !== "http") return misconfigured(tool, `unknown implementation kind`);
  const allowed = resolveAllowlist(
    impl.allowed_hosts,
    impl.allowed_ports,
    vars,
    impl.dangerously_allow_cloud_metadata === true,
  );
  if (!allowed.ok) return misconfigured(tool, allowed.reason);
  const allowlist = allowed.allowlist;

  const url = fillUrlTemplate(impl.url, args, vars, allowlist.entries);
  if (!url.ok) {
    return url.kind === "misconfigured"
      ? misconfigured(tool, url.message)
      : { ok: false, code: "tool_arguments_invalid", message: url.message, param: url.param };
  }
  const target = checkOutboundUrl(url.url, allowlist);
  if (!target.ok) return { ok: false, code: "tool_target_refused", message: target.message };

  const sendsBody = impl.body === "json" && impl.method !== "GET";
  const defaults: Record<string, string> = {
    accept: impl.result.format === "json" ? "application/json" : "*/*",
    "user-agent": USER_AGENT,
  };
  const headers = buildRequestHeaders(impl.headers, vars, defaults);
  if (!headers.ok) return misconfigured(tool, headers.reason);

  const request: SafeRequest = { method: impl.method, url: url.url, headers: headers.headers };
  if (sendsBody) {
    const rest: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(args)) {
      if (!url.usedArgs.has(name)) Object.defineProperty(rest, name, { value, enumerable: true, writable: true });
    }
    request.body = JSON.stringify(rest);
    request.headers = { ...request.headers, "content-type": "application/json" };
  }
  return { ok: true, request, allowlist, redact: redactor([...url.secrets, ...headers.secrets]) };
}
