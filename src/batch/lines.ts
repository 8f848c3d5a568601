import { ERROR_CODES, type ErrorCode } from "../errors";

/** OpenAI's output- and error-file lines. An item's line id is stable across retries: `batch_req_<batch>_<index>`. */

export function lineId(batchId: string, index: number): string {
  return `batch_req_${batchId.replace(/^batch_/, "")}_${index}`;
}

/** A served item: the body exactly as the interactive endpoint answers (or its Idempotency-Key replay). */
export function outputLine(batchId: string, index: number, customId: string, requestId: string, body: string): string {
  return `{"id":${JSON.stringify(lineId(batchId, index))},"custom_id":${JSON.stringify(customId)},"response":{"status_code":200,"request_id":${JSON.stringify(requestId)},"body":${body}},"error":null}`;
}

/** A failed item: the error envelope the interactive endpoint would have answered, and its code. */
export function errorLine(
  batchId: string,
  index: number,
  customId: string,
  err: { code: ErrorCode; message: string; requestId?: string },
): string {
  const { status, type } = ERROR_CODES[err.code];
  return JSON.stringify({
    id: lineId(batchId, index),
    custom_id: customId,
    response: {
      status_code: status,
      request_id: err.requestId ?? null,
      body: { error: { message: err.message, type, code: err.code, param: null } },
    },
    error: { code: err.code, message: err.message },
  });
}
