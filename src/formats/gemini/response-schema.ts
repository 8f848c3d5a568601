import { z } from "zod";

/**
 * Zod schemas for Gemini `GenerateContentResponse` (one per `generateContent` answer and one per
 * `streamGenerateContent?alt=sse` event). Only fields the gateway reads are declared; unknown fields (safetyRatings,
 * citationMetadata, groundingMetadata, ...) are ignored, so new additions on Google's side do not break parsing.
 */

const Count = z.number().int().nonnegative();

const FunctionCall = z.object({
  name: z.string(),
  args: z.record(z.string(), z.unknown()).optional(),
});

const Part = z.object({
  text: z.string().optional(),
  /** A thought summary (only sent when thoughts are requested); never part of the answer. */
  thought: z.boolean().optional(),
  thoughtSignature: z.string().optional(),
  functionCall: FunctionCall.optional(),
});

const LogprobCandidate = z.object({
  token: z.string().optional(),
  logProbability: z.number().optional(),
});

export const LogprobsResult = z.object({
  topCandidates: z.array(z.object({ candidates: z.array(LogprobCandidate).optional() })).optional(),
  chosenCandidates: z.array(LogprobCandidate).optional(),
});

const Candidate = z.object({
  content: z
    .object({
      parts: z.array(Part).optional(),
      role: z.string().optional(),
    })
    .optional(),
  finishReason: z.string().optional(),
  index: Count.optional(),
  logprobsResult: LogprobsResult.optional(),
});

export const UsageMetadata = z.object({
  promptTokenCount: Count.optional(),
  candidatesTokenCount: Count.optional(),
  thoughtsTokenCount: Count.optional(),
  toolUsePromptTokenCount: Count.optional(),
  cachedContentTokenCount: Count.optional(),
  totalTokenCount: Count.optional(),
});

export const GeminiResponse = z.object({
  candidates: z.array(Candidate).optional(),
  promptFeedback: z.object({ blockReason: z.string().optional() }).optional(),
  usageMetadata: UsageMetadata.optional(),
  modelVersion: z.string().optional(),
  responseId: z.string().optional(),
  /** Google's error object, which can also arrive as an event in the middle of a stream. */
  error: z
    .object({ code: z.number().optional(), message: z.string().optional(), status: z.string().optional() })
    .optional(),
});

export type GeminiResponse = z.infer<typeof GeminiResponse>;
export type GeminiCandidate = z.infer<typeof Candidate>;
export type GeminiUsage = z.infer<typeof UsageMetadata>;
export type GeminiLogprobs = z.infer<typeof LogprobsResult>;
