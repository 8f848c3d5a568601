import { z } from "zod";
import { DEFAULT_JWT_CLOCK_TOLERANCE_S, DEFAULT_JWT_TOKEN_TYPES } from "./defaults";
import { jwksUrlProblem } from "./jwks-url";
import { TemplateSchema, uniqueList } from "./schema-fields";
import type { JwtAlgorithm, PublicJwk } from "./types";

/**
 * Tenant JWT settings. Everything that decides whether a token is trusted is pinned here by the admin: the issuer
 * (which also selects the tenant), the audience, where the public keys come from and which algorithms they may sign
 * with. Nothing in a token can widen these.
 */

export const JWT_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "EdDSA",
] as const satisfies readonly JwtAlgorithm[];

const JwtAlgorithmSchema = z.enum(JWT_ALGORITHMS, {
  error: (issue) => {
    const value = typeof issue.input === "string" ? issue.input : "";
    if (/^HS\d+$/i.test(value)) {
      return `"${value}" is refused: with a shared-secret algorithm anyone who can verify a token can also mint one; use an asymmetric algorithm (${JWT_ALGORITHMS.join(", ")})`;
    }
    if (value.toLowerCase() === "none") return `"${value}" (unsigned tokens) is never accepted`;
    return `must be one of ${JWT_ALGORITHMS.join(", ")}`;
  },
});

/** Algorithms a public key can verify, from its type and curve. */
export function algorithmsForKey(jwk: Pick<PublicJwk, "kty" | "crv">): JwtAlgorithm[] {
  if (jwk.kty === "RSA") return ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"];
  if (jwk.kty === "EC" && jwk.crv === "P-256") return ["ES256"];
  if (jwk.kty === "EC" && jwk.crv === "P-384") return ["ES384"];
  if (jwk.kty === "OKP" && jwk.crv === "Ed25519") return ["EdDSA"];
  return [];
}

const Base64Url = z
  .string()
  .min(1, { error: "must not be empty" })
  .max(4096)
  .regex(/^[A-Za-z0-9_-]+$/, { error: "must be base64url (letters, digits, - and _, no padding)" });

// 2048 bits = 256 bytes = 342 base64url characters; jose refuses shorter RSA keys at verification anyway.
const MIN_RSA_MODULUS_CHARS = 342;

const MEMBERS: Record<PublicJwk["kty"], { required: (keyof PublicJwk)[]; forbidden: (keyof PublicJwk)[] }> = {
  RSA: { required: ["n", "e"], forbidden: ["crv", "x", "y"] },
  EC: { required: ["crv", "x", "y"], forbidden: ["n", "e"] },
  OKP: { required: ["crv", "x"], forbidden: ["n", "e", "y"] },
};

export const PublicJwkSchema = z
  .strictObject({
    kty: z.enum(["RSA", "EC", "OKP"]).describe("Key type."),
    kid: z
      .string()
      .min(1, { error: "must not be empty" })
      .max(256)
      .optional()
      .describe("Key id, matched against the token's `kid` header. Required when more than one key is listed."),
    alg: JwtAlgorithmSchema.optional().describe("Restricts the key to one algorithm (must be one of `algorithms`)."),
    use: z.literal("sig").optional().describe("Only `sig` (signature) keys are accepted."),
    crv: z.enum(["P-256", "P-384", "Ed25519"]).optional().describe("Curve: `P-256`/`P-384` (EC) or `Ed25519` (OKP)."),
    n: Base64Url.optional().describe("RSA modulus (at least 2048 bits)."),
    e: Base64Url.optional().describe("RSA public exponent."),
    x: Base64Url.optional().describe("EC/OKP public x coordinate."),
    y: Base64Url.optional().describe("EC public y coordinate."),
  })
  .superRefine((jwk, ctx) => {
    const { required, forbidden } = MEMBERS[jwk.kty];
    for (const member of required) {
      if (jwk[member] === undefined)
        ctx.addIssue({ code: "custom", path: [member], message: `is required for kty ${jwk.kty}` });
    }
    for (const member of forbidden) {
      if (jwk[member] !== undefined) {
        ctx.addIssue({ code: "custom", path: [member], message: `does not belong in a kty ${jwk.kty} key` });
      }
    }
    if (jwk.kty === "EC" && jwk.crv === "Ed25519") {
      ctx.addIssue({ code: "custom", path: ["crv"], message: "EC keys use P-256 or P-384; Ed25519 is kty OKP" });
    }
    if (jwk.kty === "OKP" && jwk.crv !== undefined && jwk.crv !== "Ed25519") {
      ctx.addIssue({ code: "custom", path: ["crv"], message: "OKP keys use Ed25519" });
    }
    if (jwk.kty === "RSA" && jwk.n !== undefined && jwk.n.length < MIN_RSA_MODULUS_CHARS) {
      ctx.addIssue({ code: "custom", path: ["n"], message: "RSA keys must be at least 2048 bits" });
    }
  })
  .describe(
    "A PUBLIC signing key in JWK form. Private members (`d`, `p`, `q`, ...) and symmetric keys (`k`) are refused: " +
      "never put a private key in a policy.",
  );

// biome-ignore lint/suspicious/noTemplateCurlyInString: this is the placeholder syntax admins write, shown in errors.
const PLACEHOLDER_EXAMPLE = "${JWKS_URL}";

const JwksUrlSchema = TemplateSchema.superRefine((value, ctx) => {
  // A leading placeholder stands for the whole address; the verifier applies the same rule once it is filled.
  if (value.startsWith("${")) return;
  const problem = jwksUrlProblem(value.replace(/\$\{[A-Z][A-Z0-9_]*\}/g, "placeholder"));
  if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
});

const ClaimValueSchema = z.union([z.string().max(1024), z.number(), z.boolean()], {
  error: "must be a string, a number or true/false",
});

// These are checked by their own settings; listing them here would be redundant or contradictory.
const RESERVED_CLAIMS: Record<string, string> = {
  iss: "issuer",
  aud: "audience",
  exp: "the built-in expiry check",
  nbf: "the built-in not-before check",
  iat: "max_token_age_s",
};

const AudienceValue = z.string().min(1, { error: "must not be empty" }).max(512);

export const JwtSchema = z
  .strictObject({
    issuer: z
      .string()
      .min(1, { error: "must not be empty" })
      .max(512)
      .regex(/^\S+$/, { error: "must not contain spaces" })
      .describe(
        "The exact `iss` claim of this tenant's tokens (e.g. `https://login.example.com/`). It also selects the " +
          "tenant, so no two tenants may share an issuer.",
      ),
    audience: z
      .union([AudienceValue, uniqueList(AudienceValue, "audience").min(1)])
      .describe("A string or a list of strings: the token's `aud` must name at least one of them."),
    jwks_url: JwksUrlSchema.optional().describe(
      `The issuer's JWKS endpoint (e.g. \`https://login.example.com/.well-known/jwks.json\`), or a ` +
        `\`${PLACEHOLDER_EXAMPLE}\` placeholder filled from a Worker var. https only; plain http is accepted only to a ` +
        "loopback host (127.0.0.1, localhost, [::1]). Keys are cached per isolate for 10 minutes; an unknown `kid` " +
        "refetches at most once per 30 seconds. Give either `jwks_url` or `keys`.",
    ),
    keys: z
      .array(PublicJwkSchema)
      .min(1, { error: "must list at least one key" })
      .max(16, { error: "must list at most 16 keys" })
      .optional()
      .describe("Static public keys (JWK), instead of `jwks_url`. Give either `jwks_url` or `keys`."),
    algorithms: uniqueList(JwtAlgorithmSchema, "algorithm")
      .min(1, { error: "must list at least one algorithm" })
      .describe(
        `Signature algorithms accepted, from ${JWT_ALGORITHMS.join(", ")}. Tokens signed otherwise (including ` +
          "`HS*` and `none`) are refused before any key is looked up.",
      ),
    clock_tolerance_s: z
      .int()
      .min(0, { error: "must not be negative" })
      .max(300, { error: "must be at most 300 (5 minutes)" })
      .default(DEFAULT_JWT_CLOCK_TOLERANCE_S)
      .describe("Seconds of clock skew allowed when checking `exp`, `nbf` and `iat`."),
    subject_claim: z
      .string()
      .min(1, { error: "must not be empty" })
      .max(256)
      .default("sub")
      .describe(
        "The claim naming the end user: it becomes the budget subject (rate limits and credits per end user). " +
          "A token without it (as a non-empty string) is refused.",
      ),
    required_claims: z
      .record(z.string().min(1).max(256), ClaimValueSchema)
      .optional()
      .describe(
        "Claims every token must carry, with the value each must equal (for a list claim: contain), e.g. " +
          "`{ tid: 8f3a..., email_verified: true }`.",
      ),
    token_types: uniqueList(
      z
        .string()
        .min(1, { error: "must not be empty" })
        .max(64)
        .regex(/^[A-Za-z0-9.+/-]+$/, { error: "must be a media type such as JWT or at+jwt" }),
      "token type",
    )
      .min(1, { error: "must list at least one type" })
      .default([...DEFAULT_JWT_TOKEN_TYPES])
      .describe(
        "Accepted values of the token's `typ` header, compared without case and without an `application/` " +
          `prefix (RFC 7515). Default: ${DEFAULT_JWT_TOKEN_TYPES.join(", ")}. Any other type — \`JWE\`, ` +
          "`refresh+jwt`, an ID token's `id+jwt`, … — is refused, so a token minted for another purpose with the " +
          "right audience does not authenticate. A token without `typ` is accepted unless `require_typ` is true.",
      ),
    require_typ: z
      .boolean()
      .default(false)
      .describe("Refuse tokens that carry no `typ` header (default false: many identity providers omit it)."),
    max_token_age_s: z
      .int()
      .min(1, { error: "must be at least 1" })
      .max(2_592_000, { error: "must be at most 2592000 (30 days)" })
      .optional()
      .describe("When set, tokens must carry `iat` and be at most this many seconds old."),
  })
  .superRefine((jwt, ctx) => {
    if ((jwt.jwks_url === undefined) === (jwt.keys === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: jwt.keys === undefined ? [] : ["keys"],
        message: "give exactly one of jwks_url (keys fetched from the issuer) and keys (static public keys)",
      });
    }
    for (const claim of Object.keys(jwt.required_claims ?? {})) {
      const owner = RESERVED_CLAIMS[claim];
      if (owner !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["required_claims", claim],
          message: `is checked by ${owner}; remove it here`,
        });
      }
    }
    checkStaticKeys(jwt.keys ?? [], jwt.algorithms, ctx);
  })
  .describe("Accept JWTs from this tenant's identity provider. The tenant is chosen by the token's `iss`.");

function checkStaticKeys(keys: readonly PublicJwk[], algorithms: readonly JwtAlgorithm[], ctx: z.RefinementCtx): void {
  const kids = new Set<string>();
  keys.forEach((key, index) => {
    const path = ["keys", index];
    if (keys.length > 1 && key.kid === undefined) {
      ctx.addIssue({ code: "custom", path, message: "needs a kid when more than one key is listed" });
    }
    if (key.kid !== undefined) {
      if (kids.has(key.kid))
        ctx.addIssue({ code: "custom", path: [...path, "kid"], message: `"${key.kid}" is listed twice` });
      kids.add(key.kid);
    }
    if (key.alg !== undefined && !algorithms.includes(key.alg)) {
      ctx.addIssue({ code: "custom", path: [...path, "alg"], message: `"${key.alg}" is not one of algorithms` });
    }
    const usable = algorithmsForKey(key).filter((alg) => algorithms.includes(alg));
    if (usable.length === 0 && algorithmsForKey(key).length > 0) {
      ctx.addIssue({
        code: "custom",
        path,
        message: `this ${key.kty}${key.crv === undefined ? "" : ` ${key.crv}`} key verifies ${algorithmsForKey(key).join(", ")}, none of which is in algorithms`,
      });
    }
  });
}
