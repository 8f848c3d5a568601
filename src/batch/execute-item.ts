import { sha256Hex } from "../auth/hash";
import type { Principal } from "../auth/principal";
import type { Services } from "../context";
import { type ErrorCode, GatewayError } from "../errors";
import { canonicalToResponse, echoOf } from "../formats/responses/client-response";
import { submitter } from "../gateway/billing/submit";
import { type ChatOutcome, runChat, settleJson } from "../gateway/chat";
import { runEmbeddings } from "../gateway/embeddings";
import { routeHeaders } from "../gateway/route-meta";
import type { ChatContext } from "../gateway/types";
import { NOOP_SPAN } from "../observability/span";
import { parseItem } from "./item-request";
import { errorLine, outputLine } from "./lines";
import type { BatchItem, BatchOwner, ItemOutcome } from "./types";

/** Where the item is in its batch, and which try of it this is (each try is its own ledger request). */
export interface ItemRun {
  batchId: string;
  index: number;
  attempt: number;
  waitUntil: (p: Promise<unknown>) => void;
}

/**
 * Codes worth another try later (an upstream or store that may recover, a limit that may reset). Any other refusal
 * is the item's answer and goes to the error file at once.
 */
const RETRYABLE = new Set<ErrorCode>([
  "rate_limited",
  "store_unavailable",
  "upstream_error",
  "upstream_bad_response",
  "upstream_unavailable",
  "upstream_rate_limited",
  "upstream_timeout",
  "deadline_exceeded",
  "internal_error",
]);

/** A failure the queue should offer again (the consumer retries it; after the queue's retries, the dead letter). */
export class RetryableItemError extends Error {
  constructor(
    readonly line: string,
    readonly code: ErrorCode,
    /**
     * Offer it again without spending one of its retries (a fresh message, this one acknowledged): the item was
     * refused only while other items' holds were open, which settles by itself.
     */
    readonly resend = false,
  ) {
    super(`batch item failed with ${code}; retrying`);
  }
}

function principalOf(services: Services, owner: BatchOwner): Principal | undefined {
  const tenant = services.policy.tenants[owner.tenantId];
  if (tenant === undefined) return undefined;
  const principal: Principal = { tenant, accountId: owner.accountId, source: owner.source, keyId: owner.keyId };
  if (owner.routes !== undefined) principal.routes = owner.routes;
  if (owner.tags !== undefined) principal.tags = owner.tags;
  return principal;
}

/**
 * Runs one batch item through the interactive endpoint's own path (`runChat` / `runEmbeddings`, so the one billed
 * call admits, executes and settles it), with the item's Idempotency-Key `<batch>:<index>`: a redelivered item
 * whose first try settled is answered from the ledger's stored response and billed nothing. `services` carries the
 * batch-priced policy (`batchPolicy`). Settlement is awaited, so the line is returned only once the books hold it.
 */
export async function executeItem(services: Services, owner: BatchOwner, item: BatchItem, at: ItemRun) {
  const requestId = `${at.batchId}.${at.index}.${at.attempt}`;
  const fail = (code: ErrorCode, message: string): ItemOutcome => ({
    ok: false,
    line: errorLine(at.batchId, at.index, item.custom_id, { code, message, requestId }),
    outOfCredits: code === "insufficient_credits",
  });
  const principal = principalOf(services, owner);
  if (principal === undefined) return fail("forbidden", `Tenant "${owner.tenantId}" no longer exists in the policy.`);
  const settling: Promise<void>[] = [];
  const submit = submitter(services, at.waitUntil, requestId);
  const ctx: ChatContext = {
    services,
    principal,
    billing: { requestId, idempotencyKey: `${at.batchId}:${at.index}`, bodyHash: await sha256Hex(item.body) },
    submit: (op) => {
      const done = submit(op);
      settling.push(done);
      return done;
    },
    startedAt: services.now(),
    skipCache: true,
    waitUntil: at.waitUntil,
    span: NOOP_SPAN,
    mode: "batch",
  };
  try {
    const body = await answer(ctx, item);
    await Promise.all(settling);
    return { ok: true, line: outputLine(at.batchId, at.index, item.custom_id, requestId, body) } as ItemOutcome;
  } catch (err) {
    await Promise.all(settling);
    if (!(err instanceof GatewayError)) throw err;
    // The item's key is still in flight: an earlier try was cut off (its consumer died) after its credits were held.
    // That hold is billed when the sweeper expires it; running the item again would bill it twice, so it ends here.
    const failed =
      err.code === "idempotency_in_progress"
        ? fail(
            err.code,
            "An earlier try of this request was interrupted after its credits were reserved; it is not run again, so it is never billed twice.",
          )
        : fail(err.code, err.message);
    if (RETRYABLE.has(err.code)) throw new RetryableItemError(failed.line, err.code);
    if (err.code === "insufficient_credits" && (await creditsMayReturn(services, owner, err))) {
      // Refused while other items' holds were open: those settle below their holds, so wait for them before
      // deciding the batch is out of credits.
      throw new RetryableItemError(failed.line, err.code, true);
    }
    return failed;
  }
}

/** Holds are still open, or some were released since the refusal (the balance grew): the item may yet fit. */
async function creditsMayReturn(services: Services, owner: BatchOwner, refusal: GatewayError): Promise<boolean> {
  const balance = await services.ledger.balance(owner.accountId, owner.tenantId).catch(() => undefined);
  if (balance === undefined) return true;
  const atRefusal = Number(refusal.headers["x-gateway-credits-remaining"] ?? Number.NaN);
  return balance.held > 0 || !(balance.balance <= atRefusal);
}

/** The response body the interactive endpoint would have answered (or its Idempotency-Key replay). */
async function answer(ctx: ChatContext, item: BatchItem): Promise<string> {
  const parsed = parseItem(item);
  if (parsed.kind === "embeddings") {
    const outcome = await runEmbeddings(ctx, parsed.req);
    return outcome.kind === "replay" ? outcome.response.body : outcome.body;
  }
  if (parsed.kind === "responses") {
    const now = () => Math.floor(ctx.services.now() / 1000);
    const ids = { responseId: `resp_${ctx.billing.requestId.replace(/[^a-zA-Z0-9]/g, "")}`, createdAt: now() };
    const echo = echoOf(parsed.req);
    const outcome = await runChat(ctx, parsed.chat);
    return settled(outcome, (r) => JSON.stringify(canonicalToResponse(r, ids, echo, now())));
  }
  return settled(await runChat(ctx, parsed.chat), (r) => JSON.stringify(r));
}

/** Settles a JSON answer with its final body (stored for a redelivery's replay); a replay is returned as stored. */
function settled(outcome: ChatOutcome, encode: (r: Extract<ChatOutcome, { kind: "json" }>["response"]) => string) {
  if (outcome.kind === "replay") return outcome.response.body;
  if (outcome.kind !== "json") {
    throw new GatewayError("internal_error", `a batch item produced a ${outcome.kind} answer`);
  }
  const body = encode(outcome.response);
  settleJson(outcome, body, { "content-type": "application/json", ...routeHeaders(outcome.meta) });
  return body;
}
