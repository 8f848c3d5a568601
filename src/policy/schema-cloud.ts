import { z } from "zod";
import { type CloudSettingName, cloudSettingRules, type ProviderType } from "./provider-types";
import { SecretNameSchema } from "./schema-fields";
import type { CloudSettings } from "./types";

/**
 * Settings of the cloud providers (Azure OpenAI, AWS Bedrock, Google Vertex AI): where the API lives and which extra
 * secrets it needs. Which type takes which setting is data in provider-types.ts; a setting given to a type that does
 * not use it is refused, so a typo'd policy fails the build instead of being ignored.
 */

const NameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { error: "must be lower-case letters, digits and -, as the cloud spells it" });

export const CLOUD_SETTINGS = {
  region: NameSchema.optional().describe(
    "Cloud region: the AWS region for `bedrock` (e.g. `us-east-1`), the Google Cloud location for `vertex` and " +
      "`vertex-anthropic` (e.g. `us-central1`, or `global`). It is part of the default address and of the signature.",
  ),
  project: z
    .string()
    .regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, { error: "must be a Google Cloud project id (e.g. my-project-123)" })
    .optional()
    .describe("Google Cloud project id (`vertex`, `vertex-anthropic`)."),
  resource: NameSchema.optional().describe(
    "Azure OpenAI resource name (`azure-openai`): the default address is `https://<resource>.openai.azure.com/openai`. " +
      "Give this or `base_url`.",
  ),
  api_version: z
    .string()
    .regex(/^(v1|\d{4}-\d{2}-\d{2}(-preview)?)$/, { error: 'must be "v1" or a dated version like "2024-10-21"' })
    .optional()
    .describe(
      "Azure OpenAI API version. A dated version (e.g. `2024-10-21`) calls `/deployments/<deployment>/...?api-version=`; " +
        "`v1` (the default) calls the `/openai/v1/` surface with the deployment name as `model`.",
    ),
  deployments: z
    .record(z.string().min(1).max(256), NameSchema.or(z.string().regex(/^[A-Za-z0-9._-]{1,64}$/)))
    .optional()
    .describe(
      "Azure OpenAI: target `model` → deployment name, for deployments not named after their model. A model not " +
        "listed is used as the deployment name.",
    ),
  access_key_id_secret: SecretNameSchema.optional().describe(
    "`bedrock`: the Worker secret holding the AWS access key id (default `AWS_ACCESS_KEY_ID`); `api_key_secret` " +
      "names the secret access key (default `AWS_SECRET_ACCESS_KEY`).",
  ),
  session_token_secret: SecretNameSchema.optional().describe(
    "`bedrock`: the Worker secret holding an AWS session token, for temporary credentials (none by default).",
  ),
} satisfies Record<CloudSettingName, z.ZodType>;

const SETTING_NAMES = Object.keys(CLOUD_SETTINGS) as CloudSettingName[];

/** Adds an issue for every setting the type requires but lacks, and for every one it does not take. */
export function checkCloudSettings(
  provider: { type: ProviderType; base_url?: string | undefined } & Partial<Record<CloudSettingName, unknown>>,
  ctx: z.RefinementCtx,
): void {
  const rules = cloudSettingRules(provider.type);
  const allowed = new Set([...(rules.required ?? []), ...(rules.optional ?? [])]);
  for (const name of SETTING_NAMES) {
    if (provider[name] !== undefined && !allowed.has(name)) {
      ctx.addIssue({ code: "custom", path: [name], message: `does not apply to type "${provider.type}"` });
    }
  }
  for (const name of rules.required ?? []) {
    if (provider[name] === undefined) {
      ctx.addIssue({ code: "custom", path: [name], message: `is required for type "${provider.type}"` });
    }
  }
  if (allowed.has("resource") && provider.resource === undefined && provider.base_url === undefined) {
    ctx.addIssue({ code: "custom", path: ["resource"], message: `type "${provider.type}" needs resource or base_url` });
  }
}

/** The settings present on a parsed provider, for the compiled policy. */
export function cloudSettingsOf(provider: CloudSettings): CloudSettings {
  const out: CloudSettings = {};
  if (provider.region !== undefined) out.region = provider.region;
  if (provider.project !== undefined) out.project = provider.project;
  if (provider.resource !== undefined) out.resource = provider.resource;
  if (provider.api_version !== undefined) out.api_version = provider.api_version;
  if (provider.deployments !== undefined) out.deployments = provider.deployments;
  if (provider.access_key_id_secret !== undefined) out.access_key_id_secret = provider.access_key_id_secret;
  if (provider.session_token_secret !== undefined) out.session_token_secret = provider.session_token_secret;
  return out;
}
