/**
 * Turns a policy's provider entry into something an adapter can call: base URL and headers with `${VAR}` placeholders
 * filled from Worker vars/secrets, and the credential in the preset's header. Reasons name the provider and the
 * missing variable, never a value, so they are safe to log.
 */
import { cloudSettingsOf } from "../policy/schema-cloud";
import type { ProviderConfig } from "../policy/types";
import { getPreset } from "./registry";
import type { RequestAuthorizer, ResolvedProvider } from "./types";

export type ResolveResult = { ok: true; provider: ResolvedProvider } | { ok: false; reason: string };

type Lookup = (name: string) => string | undefined;
type Filled = { ok: true; value: string } | { ok: false; missing: string };

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** A value with a line break or NUL would either make `Headers` throw or split the request. */
const UNSAFE_HEADER_VALUE = /[\r\n\0]/;

function present(lookup: Lookup, name: string): string | undefined {
  const value = lookup(name);
  // An empty secret is a misconfiguration, not a credential.
  return value === undefined || value === "" ? undefined : value;
}

function fill(template: string, lookup: Lookup): Filled {
  let missing: string | undefined;
  const value = template.replace(PLACEHOLDER, (_, name: string) => {
    const found = present(lookup, name);
    if (found === undefined) missing ??= name;
    return found ?? "";
  });
  return missing === undefined ? { ok: true, value } : { ok: false, missing };
}

function checkBaseUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "base_url is not a valid URL";
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return "base_url must use http: or https:";
  // Paths are appended to the base URL, so a query or fragment would end up in the wrong place.
  if (parsed.search !== "" || parsed.hash !== "") return "base_url must not have a query or fragment";
  return undefined;
}

export function resolveProvider(config: ProviderConfig, lookup: Lookup): ResolveResult {
  const preset = getPreset(config.type);
  const fail = (why: string): ResolveResult => ({ ok: false, reason: `provider '${config.id}': ${why}` });

  const template = config.base_url ?? settingsFilled(preset.defaultBaseUrl, config);
  if (template === undefined) return fail(`no base_url configured, and type '${config.type}' has no default`);
  const baseUrl = fill(template, lookup);
  if (!baseUrl.ok) return fail(`base_url needs variable ${baseUrl.missing}, which is not set`);
  const badUrl = checkBaseUrl(baseUrl.value);
  if (badUrl !== undefined) return fail(badUrl);

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...preset.defaultHeaders, ...config.headers })) {
    if (!HEADER_NAME.test(name)) return fail(`header name '${name}' is not valid`);
    const filled = fill(value, lookup);
    if (!filled.ok) return fail(`header '${name}' needs variable ${filled.missing}, which is not set`);
    if (UNSAFE_HEADER_VALUE.test(filled.value)) return fail(`header '${name}' has a line break or NUL in its value`);
    headers[name.toLowerCase()] = filled.value;
  }

  const secret = config.api_key_secret ?? preset.defaultApiKeySecret;
  if (secret === undefined) {
    if (preset.credentialRequired) return fail(`type '${config.type}' needs a credential and no api_key_secret is set`);
  } else {
    // A secret named in policy (or by the preset) must exist, even for origins where a credential is optional.
    const key = present(lookup, secret)?.trim();
    if (key === undefined || key === "") return fail(`credential variable ${secret} is not set`);
    if (preset.authorizer !== undefined) {
      const built = preset.authorizer(config, key, (name) => present(lookup, name));
      if (!built.ok) return fail(built.reason);
      return { ok: true, provider: resolved(config, baseUrl.value, headers, built.authorizer) };
    }
    if (UNSAFE_HEADER_VALUE.test(key))
      return fail(`credential variable ${secret} has a line break or NUL in its value`);
    const authHeader = (config.auth_header ?? preset.authHeader).toLowerCase();
    if (!HEADER_NAME.test(authHeader)) return fail(`auth_header '${authHeader}' is not a valid header name`);
    headers[authHeader] = authHeader === "authorization" ? `Bearer ${key}` : key;
  }

  return { ok: true, provider: resolved(config, baseUrl.value, headers) };
}

function resolved(
  config: ProviderConfig,
  baseUrl: string,
  headers: Record<string, string>,
  authorizer?: RequestAuthorizer,
): ResolvedProvider {
  const provider: ResolvedProvider = {
    id: config.id,
    type: config.type,
    baseUrl: baseUrl.replace(/\/+$/, ""),
    headers,
  };
  const settings = cloudSettingsOf(config);
  if (Object.keys(settings).length > 0) provider.settings = settings;
  if (authorizer !== undefined) provider.authorizer = authorizer;
  return provider;
}

/** A preset's default address with `{region}`-style settings filled in; undefined when one of them is not set. */
function settingsFilled(template: string | undefined, config: ProviderConfig): string | undefined {
  if (template === undefined) return undefined;
  let missing = false;
  const url = template.replace(/\{(region|project|resource)\}/g, (_, name: "region" | "project" | "resource") => {
    const value = config[name];
    if (value === undefined) missing = true;
    return value ?? "";
  });
  return missing ? undefined : url;
}

/**
 * The Prometheus endpoint of an origin with `load.metrics`: a path is resolved against the origin of the (filled)
 * base URL and gets the provider's headers (its credential included, as the cluster's own endpoint); an absolute URL
 * elsewhere gets none. Undefined when the provider does not resolve or the URL is not http(s).
 */
export function resolveMetricsEndpoint(
  config: ProviderConfig,
  resolved: ResolvedProvider,
  lookup: Lookup,
): { url: string; headers: Record<string, string> } | undefined {
  const template = config.load?.metrics?.url;
  if (template === undefined) return undefined;
  const base = new URL(resolved.baseUrl);
  if (template.startsWith("/")) return { url: `${base.origin}${template}`, headers: resolved.headers };
  const filled = fill(template, lookup);
  if (!filled.ok) return undefined;
  let url: URL;
  try {
    url = new URL(filled.value);
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  return { url: url.href, headers: url.origin === base.origin ? resolved.headers : {} };
}
