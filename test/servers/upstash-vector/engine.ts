import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";

/**
 * One PGlite (WASM Postgres + pgvector) per process, shared by every server started in it: booting one takes seconds
 * and a few hundred MB, so each server gets a schema of its own instead of an engine of its own. The engine closes
 * when the last server using it releases it.
 */

export interface EngineLease {
  readonly pg: PGlite;
  /** A fresh schema name, safe to splice into SQL (generated here, never user input). */
  readonly schema: string;
  release(): Promise<void>;
}

let shared: { engine: Promise<PGlite>; leases: number } | undefined;
let schemas = 0;

async function boot(): Promise<PGlite> {
  const pg = await PGlite.create({ extensions: { vector } });
  await pg.exec("CREATE EXTENSION IF NOT EXISTS vector");
  // HNSW is approximate and post-filters WHERE clauses (namespace, metadata filter): the widest candidate list plus
  // strict-order iterative scans make small test indexes answer exactly, and never with fewer rows than exist.
  await pg.exec("SET hnsw.ef_search = 1000; SET hnsw.iterative_scan = strict_order");
  return pg;
}

export async function acquireEngine(): Promise<EngineLease> {
  if (shared === undefined) {
    const engine = boot();
    shared = { engine, leases: 0 };
    // A failed boot must not poison later attempts.
    engine.catch(() => {
      if (shared?.engine === engine) shared = undefined;
    });
  }
  const current = shared;
  current.leases += 1;
  let pg: PGlite;
  try {
    pg = await current.engine;
  } catch (error) {
    current.leases -= 1;
    throw error;
  }
  schemas += 1;
  const schema = `upstash_vector_${schemas}`;
  let released = false;
  return {
    pg,
    schema,
    async release() {
      if (released) return;
      released = true;
      await pg.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      current.leases -= 1;
      if (current.leases === 0 && shared === current) {
        shared = undefined;
        await pg.close();
      }
    },
  };
}
