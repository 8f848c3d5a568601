import { z } from "zod";
import { PROVIDER_TYPES, type ProviderType } from "./provider-types";

export { PROVIDER_TYPES };

const PROVIDER_TYPE_NAMES = Object.keys(PROVIDER_TYPES) as [ProviderType, ...ProviderType[]];

export const ProviderTypeSchema = z.enum(PROVIDER_TYPE_NAMES);

export const ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const ALIAS_PATTERN = /^[a-z0-9][a-z0-9._:/-]{0,63}$/;

/** Ids of providers, routes, plans and tenants. */
export const IdSchema = z.string().regex(ID_PATTERN, {
  error: 'use 1-64 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit',
});

/** Model aliases: like ids, plus `/` and `:` so hosted-style names (`meta/llama-3.1:8b`) can be kept. */
export const AliasSchema = z.string().regex(ALIAS_PATTERN, {
  error: 'use 1-64 lower-case letters, digits, ".", "_", "-", "/" or ":", starting with a letter or digit',
});

export const PLACEHOLDER = /\$\{[A-Z][A-Z0-9_]*\}/g;

/** Why `value` has a malformed `${...}` placeholder, or undefined when every placeholder is well formed. */
export function placeholderProblem(value: string): string | undefined {
  if (!value.replace(PLACEHOLDER, "").includes("${")) return undefined;
  return `malformed placeholder: write \${NAME} with NAME in upper-case letters, digits and _ (e.g. \${LOCAL_ORIGIN_URL})`;
}

/** A string that may contain `${VAR}` placeholders, filled from Worker vars and secrets at request time. */
export const TemplateSchema = z
  .string({ error: 'must be a string (quote numbers: "503")' })
  .refine((v) => !/[\r\n]/.test(v), { error: "must not contain line breaks" })
  .superRefine((value, ctx) => {
    const problem = placeholderProblem(value);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
  });

function baseUrlProblem(value: string): string | undefined {
  const placeholder = placeholderProblem(value);
  if (placeholder !== undefined) return placeholder;
  // A leading placeholder stands for the whole origin; the rest cannot be checked until request time.
  if (value.startsWith("${")) return undefined;
  let url: URL;
  try {
    url = new URL(value.replace(PLACEHOLDER, "placeholder"));
  } catch {
    return `"${value}" is not a URL: write it as http(s)://host[:port][/path] or start it with a \${VAR} placeholder`;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return "must be an http:// or https:// URL";
  if (url.username !== "" || url.password !== "") {
    return "must not contain credentials: put the key in a Worker secret and name it in api_key_secret";
  }
  if (url.search !== "" || url.hash !== "") return "must not contain a ?query or #fragment";
  return undefined;
}

export const BaseUrlSchema = z
  .string()
  .superRefine((value, ctx) => {
    const problem = baseUrlProblem(value);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
  })
  // Adapters append paths such as `/chat/completions`; a trailing slash would double up.
  .transform((value) => value.replace(/\/+$/, ""));

/** RFC 9110 token characters; names are lower-cased because HTTP header names are case-insensitive. */
export const HeaderNameSchema = z
  .string()
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, { error: "is not a valid HTTP header name" })
  .transform((name) => name.toLowerCase());

/**
 * Header maps: names are tokens, unique regardless of case, and lower-cased; values are templates. `refuse` names a
 * reason to refuse a (lower-cased) header name, for places where some headers must stay under the gateway's control.
 */
export function headersSchema(refuse: (name: string) => string | undefined = () => undefined) {
  return z
    .record(z.string(), TemplateSchema)
    .superRefine((headers, ctx) => {
      const seen = new Map<string, string>();
      for (const name of Object.keys(headers)) {
        const parsed = HeaderNameSchema.safeParse(name);
        if (!parsed.success) {
          ctx.addIssue({ code: "custom", path: [name], message: `"${name}" is not a valid HTTP header name` });
          continue;
        }
        const refused = refuse(parsed.data);
        if (refused !== undefined) ctx.addIssue({ code: "custom", path: [name], message: refused });
        const earlier = seen.get(parsed.data);
        if (earlier !== undefined) {
          ctx.addIssue({
            code: "custom",
            path: [name],
            message: `header names are case-insensitive: "${name}" repeats "${earlier}"`,
          });
        }
        seen.set(parsed.data, name);
      }
    })
    .transform((headers) => Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])));
}

export const HeadersSchema = headersSchema();

export const SecretNameSchema = z.string().regex(/^[A-Z][A-Z0-9_]*$/, {
  error: "must be a Worker secret name: upper-case letters, digits and _, starting with a letter (e.g. OPENAI_API_KEY)",
});

/** A non-negative whole number that JSON and the ledger hold exactly. */
export const CountSchema = z.int().min(0, { error: "must not be negative" });

/** A list whose entries must be distinct; a repeat is reported at its own index. */
export function uniqueList<T extends z.ZodType<string | number>>(item: T, what: string) {
  return z.array(item).superRefine((list, ctx) => {
    const seen = new Set<string | number>();
    list.forEach((entry, index) => {
      if (seen.has(entry))
        ctx.addIssue({ code: "custom", path: [index], message: `${what} "${entry}" is listed twice` });
      seen.add(entry);
    });
  });
}
