import type { PGlite, Transaction } from "@electric-sql/pglite";
import type { Filter } from "./filter-parse";
import { filterToSql, SqlParams } from "./filter-sql";

export type Metric = "COSINE" | "EUCLIDEAN" | "DOT_PRODUCT";
export type Metadata = Record<string, unknown>;

export interface Include {
  metadata: boolean;
  vectors: boolean;
  data: boolean;
}

export interface VectorInput {
  id: string;
  vector: number[];
  metadata?: Metadata;
  data?: string;
}

export interface VectorOutput {
  id: string;
  score?: number;
  vector?: number[];
  metadata?: Metadata;
  data?: string;
}

export type Selector = { ids: string[] } | { prefix: string } | { filter: Filter };

export interface UpdateInput {
  id: string;
  vector?: number[];
  metadata?: Metadata;
  data?: string;
  mode: "OVERWRITE" | "PATCH";
}

export interface NamespaceCounts {
  [namespace: string]: { vectorCount: number; pendingVectorCount: number };
}

type Row = { id: string; distance?: number; vector?: string; metadata?: Metadata | null; data?: string | null };

/** Per metric: pgvector operator class, distance operator, and Upstash's score as a function of that distance. */
const METRICS: Record<Metric, { ops: string; op: string; score: (d: number) => number }> = {
  // `<=>` is 1 - cos, so (1 + cos) / 2 = 1 - d / 2.
  COSINE: { ops: "vector_cosine_ops", op: "<=>", score: (d) => 1 - d / 2 },
  EUCLIDEAN: { ops: "vector_l2_ops", op: "<->", score: (d) => 1 / (1 + d * d) },
  // `<#>` is the negated inner product.
  DOT_PRODUCT: { ops: "vector_ip_ops", op: "<#>", score: (d) => (1 - d) / 2 },
};

const vectorText = (v: readonly number[]): string => `[${v.join(",")}]`;

/** RFC 7396 JSON merge patch, which is what `metadataUpdateMode: "PATCH"` applies. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    typeof target === "object" && target !== null && !Array.isArray(target) ? { ...(target as Metadata) } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

export type VectorStore = Awaited<ReturnType<typeof createVectorStore>>;

export async function createVectorStore(pg: PGlite, schema: string, opts: { dimensions: number; metric: Metric }) {
  const metric = METRICS[opts.metric];
  const vectors = `${schema}.vectors`;
  const namespaces = `${schema}.namespaces`;
  await pg.exec(`
    CREATE SCHEMA ${schema};
    CREATE TABLE ${namespaces} (name text PRIMARY KEY);
    INSERT INTO ${namespaces} (name) VALUES ('');
    CREATE TABLE ${vectors} (
      namespace text NOT NULL,
      id text NOT NULL,
      vector vector(${opts.dimensions}) NOT NULL,
      metadata jsonb,
      data text,
      PRIMARY KEY (namespace, id)
    );
    CREATE INDEX ON ${vectors} USING hnsw (vector ${metric.ops});
  `);

  const columns = (include: Include): string =>
    [
      "id",
      include.vectors ? "vector::text AS vector" : "",
      include.metadata ? "metadata" : "",
      include.data ? "data" : "",
    ]
      .filter((c) => c !== "")
      .join(", ");

  const toOutput = (row: Row, include: Include): VectorOutput => {
    const out: VectorOutput = { id: row.id };
    if (row.distance !== undefined) out.score = metric.score(row.distance);
    if (include.vectors && row.vector !== undefined) out.vector = JSON.parse(row.vector) as number[];
    if (include.metadata && row.metadata !== undefined && row.metadata !== null) out.metadata = row.metadata;
    if (include.data && row.data !== undefined && row.data !== null) out.data = row.data;
    return out;
  };

  /** WHERE clause (without the keyword) selecting rows of one namespace. */
  const selectorSql = (namespace: string, selector: Selector, params: SqlParams): string => {
    const ns = `namespace = ${params.add(namespace)}`;
    if ("ids" in selector) return `${ns} AND id = ANY(${params.add(selector.ids)}::text[])`;
    if ("prefix" in selector) return `${ns} AND starts_with(id, ${params.add(selector.prefix)})`;
    return `${ns} AND ${filterToSql(selector.filter, params)}`;
  };

  const ensureNamespace = (db: PGlite | Transaction, namespace: string) =>
    db.query(`INSERT INTO ${namespaces} (name) VALUES ($1) ON CONFLICT DO NOTHING`, [namespace]);

  return {
    async upsert(namespace: string, items: readonly VectorInput[]): Promise<void> {
      await pg.transaction(async (tx) => {
        await ensureNamespace(tx, namespace);
        for (const item of items) {
          // A whole-record replace, as Upstash does: fields left out of the upsert are cleared.
          await tx.query(
            `INSERT INTO ${vectors} (namespace, id, vector, metadata, data) VALUES ($1, $2, $3::vector, $4::jsonb, $5)
             ON CONFLICT (namespace, id) DO UPDATE
             SET vector = excluded.vector, metadata = excluded.metadata, data = excluded.data`,
            [
              namespace,
              item.id,
              vectorText(item.vector),
              item.metadata === undefined ? null : JSON.stringify(item.metadata),
              item.data ?? null,
            ],
          );
        }
      });
    },

    async query(
      namespace: string,
      vector: readonly number[],
      topK: number,
      include: Include,
      filter?: Filter,
    ): Promise<VectorOutput[]> {
      const params = new SqlParams([vectorText(vector), namespace, topK]);
      const where = filter === undefined ? "" : ` AND ${filterToSql(filter, params)}`;
      const { rows } = await pg.query<Row>(
        `SELECT ${columns(include)}, (vector ${metric.op} $1::vector) AS distance FROM ${vectors}
         WHERE namespace = $2${where} ORDER BY vector ${metric.op} $1::vector LIMIT $3`,
        params.values,
      );
      const out = rows.map((row) => toOutput(row, include));
      return out.sort((a, b) => (b.score ?? 0) - (a.score ?? 0));
    },

    /** By ids: one entry per id, `null` where missing. By prefix: every match, in id order. */
    async fetch(
      namespace: string,
      selector: { ids: string[] } | { prefix: string },
      include: Include,
    ): Promise<(VectorOutput | null)[]> {
      const params = new SqlParams();
      const where = selectorSql(namespace, selector, params);
      const { rows } = await pg.query<Row>(
        `SELECT ${columns(include)} FROM ${vectors} WHERE ${where} ORDER BY id COLLATE "C"`,
        params.values,
      );
      if (!("ids" in selector)) return rows.map((row) => toOutput(row, include));
      const byId = new Map(rows.map((row) => [row.id, toOutput(row, include)]));
      return selector.ids.map((id) => byId.get(id) ?? null);
    },

    async delete(namespace: string, selector: Selector): Promise<number> {
      const params = new SqlParams();
      const res = await pg.query(
        `DELETE FROM ${vectors} WHERE ${selectorSql(namespace, selector, params)}`,
        params.values,
      );
      return res.affectedRows ?? 0;
    },

    /** Offset-cursor paging in id order, like Upstash's ("0" or "" to start, "" when there is no more). */
    async range(
      namespace: string,
      offset: number,
      limit: number,
      prefix: string | undefined,
      include: Include,
    ): Promise<{ nextCursor: string; vectors: VectorOutput[] }> {
      const params = new SqlParams();
      const where = selectorSql(namespace, { prefix: prefix ?? "" }, params);
      const { rows } = await pg.query<Row>(
        `SELECT ${columns(include)} FROM ${vectors} WHERE ${where} ORDER BY id COLLATE "C"
         OFFSET ${params.add(offset)} LIMIT ${params.add(limit + 1)}`,
        params.values,
      );
      const page = rows.slice(0, limit).map((row) => toOutput(row, include));
      return { nextCursor: rows.length > limit ? String(offset + limit) : "", vectors: page };
    },

    /** Empties one namespace, or every namespace when `namespace` is undefined; namespaces themselves remain. */
    async reset(namespace: string | undefined): Promise<void> {
      if (namespace === undefined) await pg.query(`DELETE FROM ${vectors}`);
      else await pg.query(`DELETE FROM ${vectors} WHERE namespace = $1`, [namespace]);
    },

    async namespaceCounts(): Promise<NamespaceCounts> {
      const { rows } = await pg.query<{ name: string; count: number }>(
        `SELECT n.name, count(v.id)::int AS count FROM ${namespaces} n
         LEFT JOIN ${vectors} v ON v.namespace = n.name GROUP BY n.name ORDER BY n.name COLLATE "C"`,
      );
      const out: NamespaceCounts = {};
      for (const row of rows) out[row.name] = { vectorCount: row.count, pendingVectorCount: 0 };
      return out;
    },

    async sizeBytes(): Promise<number> {
      const { rows } = await pg.query<{ size: number }>("SELECT pg_total_relation_size($1::regclass)::float8 AS size", [
        vectors,
      ]);
      return rows[0]?.size ?? 0;
    },

    /** `missing` for a namespace that was never created (or was deleted). */
    async deleteNamespace(namespace: string): Promise<"deleted" | "missing"> {
      return pg.transaction(async (tx) => {
        const res = await tx.query(`DELETE FROM ${namespaces} WHERE name = $1`, [namespace]);
        if ((res.affectedRows ?? 0) === 0) return "missing";
        await tx.query(`DELETE FROM ${vectors} WHERE namespace = $1`, [namespace]);
        return "deleted";
      });
    },

    /** 1 when the vector existed and was changed, 0 when there is no such id. */
    async update(namespace: string, input: UpdateInput): Promise<number> {
      return pg.transaction(async (tx) => {
        const { rows } = await tx.query<{ metadata: Metadata | null }>(
          `SELECT metadata FROM ${vectors} WHERE namespace = $1 AND id = $2 FOR UPDATE`,
          [namespace, input.id],
        );
        const current = rows[0];
        if (current === undefined) return 0;
        const params = new SqlParams([namespace, input.id]);
        const sets: string[] = [];
        if (input.vector !== undefined) sets.push(`vector = ${params.add(vectorText(input.vector))}::vector`);
        if (input.data !== undefined) sets.push(`data = ${params.add(input.data)}`);
        if (input.metadata !== undefined) {
          const next = input.mode === "PATCH" ? mergePatch(current.metadata, input.metadata) : input.metadata;
          sets.push(`metadata = ${params.add(JSON.stringify(next))}::jsonb`);
        }
        if (sets.length === 0) return 0;
        await tx.query(`UPDATE ${vectors} SET ${sets.join(", ")} WHERE namespace = $1 AND id = $2`, params.values);
        return 1;
      });
    },
  };
}
