import { z } from "zod";
import { ANSWER_FEATURES, LEXICAL_FEATURES, type RouterArtifact, type VerifierArtifact } from "./artifact-types";

/**
 * The files `npm run router:train` writes (policies/routers/*.json, policies/verifiers/*.json), as the policy build
 * checks them: the shape, known feature names, and every array the size the model needs, so the Worker can
 * evaluate a model without checking anything per request.
 */

const finite = z.number().refine(Number.isFinite, { error: "must be a finite number" });

const EmbedderSchema = z.strictObject({
  model: z.string().min(1),
  dims: z.int().min(1).max(8192),
});

const LinearModelSchema = z.strictObject({
  type: z.literal("logistic"),
  projection: z.array(z.array(finite)).optional(),
  mean: z.array(finite),
  scale: z.array(finite.refine((v) => v > 0, { error: "must be above 0" })),
  weights: z.array(finite),
  bias: finite,
});

const TrainingSchema = z.strictObject({
  data_sha256: z.string().regex(/^[0-9a-f]{64}$/, { error: "must be 64 lower-case hex digits" }),
  rows: z.int().min(1),
  source: z.string(),
  trained_at: z.string(),
  quality_target: z.number().gt(0).lte(1),
  eval: z.record(z.string(), finite),
});

const probability = finite.refine((v) => v >= 0 && v <= 1, { error: "must be between 0 and 1" });

export const RouterArtifactSchema = z.strictObject({
  kind: z.literal("router"),
  format: z.literal(1),
  embedder: EmbedderSchema,
  features: z.strictObject({ embedding: z.boolean(), lexical: z.array(z.enum(LEXICAL_FEATURES)) }),
  model: LinearModelSchema,
  threshold: probability,
  training: TrainingSchema,
});

export const VerifierArtifactSchema = z.strictObject({
  kind: z.literal("verifier"),
  format: z.literal(1),
  embedder: EmbedderSchema,
  features: z.strictObject({ embedding: z.boolean(), answer: z.array(z.enum(ANSWER_FEATURES)) }),
  model: LinearModelSchema,
  threshold: probability,
  training: TrainingSchema,
});

type AnyArtifact = RouterArtifact | VerifierArtifact;

/** The size checks zod cannot express: the model's arrays must fit the embedder and the feature list. */
function sizeProblems(a: AnyArtifact): string[] {
  const problems: string[] = [];
  const extra = a.kind === "router" ? a.features.lexical.length : a.features.answer.length;
  const { projection } = a.model;
  if (!a.features.embedding && projection !== undefined)
    problems.push("model.projection: given, but features.embedding is false");
  projection?.forEach((row, i) => {
    if (row.length !== a.embedder.dims)
      problems.push(`model.projection[${i}]: has ${row.length} numbers, embedder.dims is ${a.embedder.dims}`);
  });
  const inputs = (a.features.embedding ? (projection?.length ?? a.embedder.dims) : 0) + extra;
  for (const key of ["mean", "scale", "weights"] as const) {
    const n = a.model[key].length;
    if (n !== inputs) problems.push(`model.${key}: has ${n} numbers, the features need ${inputs}`);
  }
  return problems;
}

export type ArtifactParse<T> = { ok: true; artifact: T } | { ok: false; problems: string[] };

function parse<T extends AnyArtifact>(schema: z.ZodType<T>, text: string): ArtifactParse<T> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, problems: [`not JSON: ${err instanceof Error ? err.message : String(err)}`] };
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    return {
      ok: false,
      problems: result.error.issues.slice(0, 5).map((i) => `${i.path.join(".") || "(file)"}: ${i.message}`),
    };
  }
  const problems = sizeProblems(result.data);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, artifact: result.data };
}

export const parseRouterArtifact = (text: string): ArtifactParse<RouterArtifact> =>
  parse(RouterArtifactSchema as z.ZodType<RouterArtifact>, text);

export const parseVerifierArtifact = (text: string): ArtifactParse<VerifierArtifact> =>
  parse(VerifierArtifactSchema as z.ZodType<VerifierArtifact>, text);
