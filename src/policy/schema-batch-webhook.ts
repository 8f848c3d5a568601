import { z } from "zod";
import { SecretNameSchema, uniqueList } from "./schema-fields";
import { allowedHostProblem, defaultAllowedPorts, parseAllowedHost, parseUrlTemplate } from "./tool-url";

// biome-ignore lint/suspicious/noTemplateCurlyInString: this is the placeholder syntax admins write, shown in docs.
const VAR = "`${VAR}`";

/**
 * A tenant's batch completion webhook (`tenants.<id>.batch_webhook`): where a signed event goes when one of its
 * batches ends. The URL and its allowlist follow the tools' rules (tool-url.ts), so the same outbound check guards it.
 */
export const BatchWebhookSchema = z
  .strictObject({
    url: z
      .string()
      .min(1)
      .max(2048)
      .describe(
        `Where the event is POSTed: an http(s) URL, no credentials; may contain ${VAR} placeholders (Worker vars), ` +
          'filled at send time. Example: "https://hooks.example.com/batches".',
      ),
    allowed_hosts: uniqueList(z.string().min(1).max(300), "host")
      .min(1, { error: "must list the URL's host: the webhook goes only to hosts listed here" })
      .describe(
        "The hosts the webhook may go to, as a tool's `allowed_hosts`: `host` or `host:port`, exact; loopback and " +
          "private addresses only with an exact port, link-local and cloud-metadata addresses never. May be a " +
          `${VAR} placeholder (checked at send time). Must include the URL's host when the URL spells it out.`,
      ),
    secret: SecretNameSchema.describe(
      "Name of the Worker secret that holds the signing secret (Standard Webhooks: `whsec_` + base64 of the key).",
    ),
  })
  .superRefine((hook, ctx) => {
    hook.allowed_hosts.forEach((entry, index) => {
      const problem = allowedHostProblem(entry);
      if (problem !== undefined) ctx.addIssue({ code: "custom", path: ["allowed_hosts", index], message: problem });
    });
    const parsed = parseUrlTemplate(hook.url);
    if (!parsed.ok) return void ctx.addIssue({ code: "custom", path: ["url"], message: parsed.message });
    if (parsed.info.slots.length > 0) {
      return void ctx.addIssue({
        code: "custom",
        path: ["url"],
        message: `takes no {slots}: only ${VAR} placeholders`,
      });
    }
    const literal = parsed.info.literal;
    if (literal === undefined || hook.allowed_hosts.some((entry) => entry.includes("${"))) return;
    // A port-less entry opens the scheme's default port only (443, or 80 for http), as at send time.
    const ports = defaultAllowedPorts(parsed.info.scheme);
    const listed = hook.allowed_hosts
      .map(parseAllowedHost)
      .some(
        (e) =>
          e?.hostname === literal.hostname &&
          (e.port === undefined ? ports.includes(literal.port) : e.port === literal.port),
      );
    if (!listed) {
      ctx.addIssue({
        code: "custom",
        path: ["allowed_hosts"],
        message: `does not include "${literal.hostname}:${literal.port}", the URL's host and port: the webhook could never be sent`,
      });
    }
  })
  .describe(
    "A signed completion webhook (Standard Webhooks) sent when one of the tenant's batches ends: completed, " +
      "failed, cancelled or expired. Retried with backoff through the batch queue.",
  );
