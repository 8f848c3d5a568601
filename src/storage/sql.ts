/** Tiny typed helpers over the Durable Object SQLite API (`ctx.storage.sql`), which is synchronous. */

export type Row = Record<string, SqlStorageValue>;
export type SqlArg = string | number | null;

export function rows<T extends Row>(sql: SqlStorage, query: string, ...args: SqlArg[]): T[] {
  return sql.exec<T>(query, ...args).toArray();
}

export function first<T extends Row>(sql: SqlStorage, query: string, ...args: SqlArg[]): T | undefined {
  return rows<T>(sql, query, ...args)[0];
}

/** Runs a statement to completion (draining the cursor so multi-row writes are never left half-stepped). */
export function run(sql: SqlStorage, query: string, ...args: SqlArg[]): void {
  sql.exec(query, ...args).toArray();
}

export function num(value: SqlStorageValue | undefined): number {
  return typeof value === "number" ? value : 0;
}

export function str(value: SqlStorageValue | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function parseJson<T>(value: SqlStorageValue | undefined, fallback: T): T {
  if (typeof value !== "string") return fallback;
  return JSON.parse(value) as T;
}
