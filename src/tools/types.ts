import type { Principal } from "../auth/principal";
import type { ErrorCode } from "../errors";
import type { SettlementOp } from "../ledger/outbox/types";
import type { Ledger } from "../ledger/types";
import type { CompiledPolicy } from "../policy/types";

/** What the tool executor needs from the gateway; built once per request (see deps.ts). */
export interface ToolDeps {
  policy: Pick<CompiledPolicy, "tools" | "version">;
  ledger: Ledger;
  /** The outbound fetch (Services.fetch). */
  fetch: typeof fetch;
  /** Worker vars and secrets by name, for `${VAR}` placeholders. */
  vars: (name: string) => string | undefined;
  now: () => number;
  /**
   * Resolves the call's hold or records a refusal's usage event, durably and off the hot path (settleDurably under
   * waitUntil). The promise resolves once the op is written or queued; it never rejects.
   */
  settle: (op: SettlementOp) => Promise<void>;
}

/** One tool call, from `POST /v1/tools/{name}/invoke` or from the gateway's tool loop. */
export interface ToolCall {
  principal: Principal;
  /** The tool name exactly as requested (matched exactly, never normalised). */
  name: string;
  /** A JSON object, or the JSON text of one (what chat models produce in `function.arguments`). */
  arguments: unknown;
  /**
   * Unique per call: the id of the call's credit hold and audit event. The invoke route uses its request id; the
   * loop uses one per tool call (e.g. `<request id>.tool<n>`). Reusing one refuses the call (store_unavailable).
   */
  requestId: string;
  origin: "invoke" | "loop";
  /** `x-gateway-task-id`: the task whose budget (max_tool_calls, the tool's max_calls_per_task) the call counts against. */
  taskId?: string;
  /** Usage attribution (`x-gateway-feature`, else the key's first tag). */
  feature?: string;
  /** Cancels the outbound request (client gone). */
  signal?: AbortSignal;
}

export interface ToolError {
  code: ErrorCode;
  /** Safe to show to clients and models: no secret, no URL, no raw tool output. */
  message: string;
  param: string | null;
  /** Extra response headers for the invoke route (e.g. Retry-After). */
  headers: Record<string, string>;
  /** The task's own tool-call budget is spent (not just one tool's per-task cap): the task cannot call tools again. */
  taskSpent?: boolean;
}

interface OutcomeBase {
  /** The name as requested, made printable (look-alikes show their hidden characters). */
  tool: string;
  /** SHA-256 (hex) of the argument JSON text: as received when a string, else the object's JSON.stringify. */
  argsSha256: string;
  /** Response bytes read from the tool (after decompression). */
  bytes: number;
  latencyMs: number;
  /** Micro-credits charged (price_per_call when executed, else 0). */
  cost: number;
  /** What the model sees as the tool message: the result envelope, or the error envelope. */
  content: string;
  /** Resolves once the call's audit event is written (or queued); never rejects. */
  audit: Promise<void>;
}

export interface ToolExecuted extends OutcomeBase {
  decision: "executed";
  /** The tool's HTTP status (any status the tool answered with; the model sees it in the envelope). */
  status: number;
  /** The result as handed to the model (`untrusted_data` in `content`). */
  result: unknown;
  truncated: boolean;
}

export interface ToolNotExecuted extends OutcomeBase {
  /** refused: stopped before the request (policy, arguments, target, budget, credits); failed: the request went wrong. */
  decision: "refused" | "failed";
  /** The gateway status of `error.code`. */
  status: number;
  /** The tool's HTTP status when it answered (e.g. the redirect that was refused), else 0. */
  toolStatus: number;
  error: ToolError;
}

export type ToolOutcome = ToolExecuted | ToolNotExecuted;
