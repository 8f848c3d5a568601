import type { Handler } from "hono";
import type { AppEnv } from "../context";
import { balanceHandler, usageExportHandler, usageHandler } from "./account";
import { ownAnalyticsHandler, taskOutcomeHandler } from "./analytics/handlers";
import { cancelBatchHandler, createBatchHandler, getBatchHandler, listBatchesHandler } from "./batches";
import { chatCompletionsHandler } from "./chat-completions";
import { countTokensHandler } from "./count-tokens";
import { embeddingsHandler } from "./embeddings";
import { deleteFileHandler, fileContentHandler, getFileHandler, listFilesHandler, uploadFileHandler } from "./files";
import { messagesHandler } from "./messages";
import { listModelsHandler } from "./models";
import { responsesHandler } from "./responses";
import { toolsInvokeHandler } from "./tools-invoke";

export interface V1Route {
  method: "GET" | "POST" | "DELETE";
  /** Hono path; `:name` matches one path segment. */
  path: string;
  handler: Handler<AppEnv>;
  /**
   * Does work a tenant is billed or audited for: a refusal on it leaves a usage event (middleware/record-refusals).
   * Read-only routes (models, balance, usage) do not.
   */
  recordsRefusals: boolean;
}

/**
 * Every `/v1` route, once: app.ts registers them, answers 405 (with `Allow`) for other methods on their paths,
 * records refusals where `recordsRefusals`, and the authentication suite (test/integration/v1-auth.security.test.ts)
 * runs over all of them. Every `/v1` route is authenticated.
 */
export const V1_ROUTES: readonly V1Route[] = [
  { method: "POST", path: "/v1/chat/completions", handler: chatCompletionsHandler, recordsRefusals: true },
  { method: "POST", path: "/v1/messages", handler: messagesHandler, recordsRefusals: true },
  // Counts tokens only: nothing is billed, so a refusal leaves no usage event.
  { method: "POST", path: "/v1/messages/count_tokens", handler: countTokensHandler, recordsRefusals: false },
  { method: "POST", path: "/v1/responses", handler: responsesHandler, recordsRefusals: true },
  { method: "POST", path: "/v1/embeddings", handler: embeddingsHandler, recordsRefusals: true },
  { method: "GET", path: "/v1/models", handler: listModelsHandler, recordsRefusals: false },
  { method: "GET", path: "/v1/balance", handler: balanceHandler, recordsRefusals: false },
  { method: "GET", path: "/v1/usage", handler: usageHandler, recordsRefusals: false },
  { method: "GET", path: "/v1/usage/export", handler: usageExportHandler, recordsRefusals: false },
  { method: "GET", path: "/v1/analytics", handler: ownAnalyticsHandler, recordsRefusals: false },
  { method: "POST", path: "/v1/tasks/:id/outcome", handler: taskOutcomeHandler, recordsRefusals: false },
  // `name` is matched exactly against the caller's tools (never normalised).
  { method: "POST", path: "/v1/tools/:name/invoke", handler: toolsInvokeHandler, recordsRefusals: true },
  // The Batch API (src/batch): nothing is billed here; each item is billed when the queue consumer runs it.
  { method: "POST", path: "/v1/files", handler: uploadFileHandler, recordsRefusals: false },
  { method: "GET", path: "/v1/files", handler: listFilesHandler, recordsRefusals: false },
  { method: "GET", path: "/v1/files/:id", handler: getFileHandler, recordsRefusals: false },
  { method: "DELETE", path: "/v1/files/:id", handler: deleteFileHandler, recordsRefusals: false },
  { method: "GET", path: "/v1/files/:id/content", handler: fileContentHandler, recordsRefusals: false },
  { method: "POST", path: "/v1/batches", handler: createBatchHandler, recordsRefusals: false },
  { method: "GET", path: "/v1/batches", handler: listBatchesHandler, recordsRefusals: false },
  { method: "GET", path: "/v1/batches/:id", handler: getBatchHandler, recordsRefusals: false },
  { method: "POST", path: "/v1/batches/:id/cancel", handler: cancelBatchHandler, recordsRefusals: false },
];

/** Paths outside /v1 with a fixed method (anything else on them is a 405 too). */
const OTHER_ROUTES: readonly Pick<V1Route, "method" | "path">[] = [{ method: "GET", path: "/healthz" }];

function matcher(path: string): RegExp {
  const pattern = path
    .split("/")
    .map((part) => (part.startsWith(":") ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  return new RegExp(`^${pattern}$`);
}

const METHODS: readonly { match: RegExp; methods: string[] }[] = (() => {
  const byPath = new Map<string, string[]>();
  for (const r of [...V1_ROUTES, ...OTHER_ROUTES]) byPath.set(r.path, [...(byPath.get(r.path) ?? []), r.method]);
  return [...byPath].map(([path, methods]) => ({ match: matcher(path), methods }));
})();

/** Methods served on a path (from the route table), or undefined for a path we do not serve. */
export function allowedMethods(path: string): string[] | undefined {
  return METHODS.find((m) => m.match.test(path))?.methods;
}
