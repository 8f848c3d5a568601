import type { StoredResponse } from "../ledger/types";

/** An Idempotency-Key replay: the stored answer, byte for byte, with no new charge and no upstream call. */
export function replayResponse(stored: StoredResponse, requestId: string): Response {
  return new Response(stored.body, {
    status: stored.status,
    headers: {
      ...stored.headers,
      "x-request-id": requestId,
      "request-id": requestId,
      "x-gateway-idempotent-replay": "true",
    },
  });
}
