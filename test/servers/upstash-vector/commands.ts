import type { Metric, VectorStore } from "./store";
import * as v from "./validate";
import { Problem } from "./validate";

/** The Upstash Vector REST commands `@upstash/vector` 1.2 sends, over a `VectorStore`. */

export interface IndexConfig {
  dimensions: number;
  metric: Metric;
}

export interface CommandCall {
  /** First path segment: `upsert`, `query`, ... */
  command: string;
  /** The rest of the path (`/query/<ns>`), `""` for the default namespace. */
  namespace: string;
  /** `reset?all` arrives as a query string. */
  search: URLSearchParams;
  body: unknown;
}

const NO_EMBEDDING_MODEL =
  "Embedding data for this index is not allowed. The index must be created with an embedding model to use it.";

async function query(store: VectorStore, config: IndexConfig, ns: string, raw: unknown) {
  const body = v.asRecord(raw, "query");
  if (body.data !== undefined) throw new Problem(400, NO_EMBEDDING_MODEL);
  if (body.sparseVector !== undefined) throw new Problem(400, "This index does not support sparse vectors");
  if (body.vector === undefined) throw new Problem(400, "vector is required");
  const vector = v.vector(body.vector, config.dimensions, config.metric);
  const topK = v.integer(body.topK ?? 10, "topK", 1, v.MAX_TOP_K);
  return store.query(ns, vector, topK, v.include(body), v.filter(body));
}

async function fetch(store: VectorStore, ns: string, raw: unknown) {
  const body = v.asRecord(raw, "fetch");
  const include = v.include(body);
  const prefix = v.optionalString(body, "prefix");
  if (prefix !== undefined) return store.fetch(ns, { prefix }, include);
  if (body.ids === undefined) throw new Problem(400, "fetch needs ids or a prefix");
  return store.fetch(ns, { ids: v.ids(body.ids) }, include);
}

async function remove(store: VectorStore, ns: string, raw: unknown) {
  // Older clients send a bare array of ids.
  if (Array.isArray(raw) || typeof raw === "string" || typeof raw === "number") {
    return { deleted: await store.delete(ns, { ids: v.ids(raw) }) };
  }
  const body = v.asRecord(raw, "delete");
  const prefix = v.optionalString(body, "prefix");
  const filter = v.filter(body);
  const given = [body.ids !== undefined, prefix !== undefined, filter !== undefined].filter(Boolean).length;
  if (given !== 1) throw new Problem(400, "delete needs exactly one of ids, prefix or a non-empty filter");
  if (prefix !== undefined) return { deleted: await store.delete(ns, { prefix }) };
  if (filter !== undefined) return { deleted: await store.delete(ns, { filter }) };
  return { deleted: await store.delete(ns, { ids: v.ids(body.ids) }) };
}

async function range(store: VectorStore, ns: string, raw: unknown) {
  const body = v.asRecord(raw, "range");
  const cursor = body.cursor ?? "";
  const offset = cursor === "" ? 0 : Number(cursor);
  if ((typeof cursor !== "string" && typeof cursor !== "number") || !Number.isInteger(offset) || offset < 0) {
    throw new Problem(400, "cursor must be a cursor returned by range, or 0 to start");
  }
  const limit = v.integer(body.limit, "limit", 1, v.MAX_TOP_K);
  return store.range(ns, offset, limit, v.optionalString(body, "prefix"), v.include(body));
}

async function update(store: VectorStore, config: IndexConfig, ns: string, raw: unknown) {
  const body = v.asRecord(raw, "update");
  if (body.sparseVector !== undefined) throw new Problem(400, "This index does not support sparse vectors");
  const mode = body.metadataUpdateMode ?? "OVERWRITE";
  if (mode !== "OVERWRITE" && mode !== "PATCH") throw new Problem(400, "metadataUpdateMode must be OVERWRITE or PATCH");
  const input = {
    id: v.id(body.id),
    mode,
    vector: body.vector === undefined ? undefined : v.vector(body.vector, config.dimensions, config.metric),
    metadata: v.metadata(body.metadata),
    data: v.data(body.data),
  } as const;
  if (input.vector === undefined && input.metadata === undefined && input.data === undefined) {
    throw new Problem(400, "update needs at least one of vector, metadata or data");
  }
  return { updated: await store.update(ns, input) };
}

async function info(store: VectorStore, config: IndexConfig) {
  const namespaces = await store.namespaceCounts();
  const vectorCount = Object.values(namespaces).reduce((sum, ns) => sum + ns.vectorCount, 0);
  return {
    vectorCount,
    pendingVectorCount: 0,
    indexSize: await store.sizeBytes(),
    dimension: config.dimensions,
    similarityFunction: config.metric,
    denseIndex: { dimension: config.dimensions, similarityFunction: config.metric },
    namespaces,
  };
}

/** Runs one command; throws `Problem` for anything Upstash would refuse. */
export async function runCommand(store: VectorStore, config: IndexConfig, call: CommandCall): Promise<unknown> {
  const ns = call.namespace;
  switch (call.command) {
    case "upsert": {
      const items = Array.isArray(call.body) ? call.body : [call.body];
      await store.upsert(
        ns,
        items.map((item) => v.upsertItem(item, config.dimensions, config.metric)),
      );
      return "Success";
    }
    case "query":
      // queryMany sends an array; like Upstash, a single query in an array answers a flat list.
      if (!Array.isArray(call.body)) return query(store, config, ns, call.body);
      if (call.body.length === 1) return query(store, config, ns, call.body[0]);
      return Promise.all(call.body.map((one) => query(store, config, ns, one)));
    case "fetch":
      return fetch(store, ns, call.body);
    case "delete":
      return remove(store, ns, call.body);
    case "range":
      return range(store, ns, call.body);
    case "update":
      return update(store, config, ns, call.body);
    case "reset":
      await store.reset(call.search.has("all") ? undefined : ns);
      return "Success";
    case "info":
      return info(store, config);
    case "list-namespaces":
      return Object.keys(await store.namespaceCounts());
    case "delete-namespace":
      if (ns === "") throw new Problem(400, "Cannot delete the default namespace");
      if ((await store.deleteNamespace(ns)) === "missing") throw new Problem(404, `Namespace ${ns} does not exist`);
      return "Success";
    case "upsert-data":
    case "query-data":
    case "resumable-query-data":
      throw new Problem(400, NO_EMBEDDING_MODEL);
    case "resumable-query":
    case "resumable-query-next":
    case "resumable-query-end":
      throw new Problem(400, "resumable queries are not supported by this local server");
    default:
      throw new Problem(404, `Unknown command: ${call.command}`);
  }
}
