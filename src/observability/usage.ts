import type { UsageEvent } from "../ledger/types";
import { ATTR } from "./attributes";
import type { Span } from "./span";

/**
 * Puts a settled call's usage on its settlement span, and adds it to the request's root span: a request with several
 * billed calls (tool-loop turns) reports their sum, which is what the tenant paid and what the metrics count.
 */
export function recordUsage(settle: Span, root: Span, e: UsageEvent): void {
  if (settle.recording) {
    settle.set(ATTR.inputTokens, e.inputTokens);
    settle.set(ATTR.outputTokens, e.outputTokens);
    settle.set(ATTR.cost, e.cost);
    settle.set(ATTR.httpStatus, e.status);
    if (e.flags.length > 0) settle.set(ATTR.flags, e.flags);
  }
  if (!root.recording) return;
  add(root, ATTR.inputTokens, e.inputTokens);
  add(root, ATTR.outputTokens, e.outputTokens);
  add(root, ATTR.cost, e.cost);
  root.set(ATTR.feature, e.feature);
  root.set(ATTR.taskId, e.taskId);
  if (e.flags.length > 0) {
    const seen = root.get(ATTR.flags);
    const flags = new Set([...(Array.isArray(seen) ? seen : []), ...e.flags]);
    root.set(ATTR.flags, [...flags]);
  }
}

function add(span: Span, key: string, n: number): void {
  const before = span.get(key);
  span.set(key, (typeof before === "number" ? before : 0) + n);
}
