import { first, str } from "../../storage/sql";

/** Statuses in which a batch may still read its input file (the provider job re-reads it on every delivery). */
const ACTIVE = ["validating", "in_progress", "finalizing", "cancelling"] as const;

/** The id of a batch not yet ended whose input is `fileId`, if there is one. */
export function activeBatchReading(sql: SqlStorage, fileId: string): string | undefined {
  const row = first(
    sql,
    `SELECT id FROM batches WHERE json_extract(record, '$.input_file_id') = ?
     AND json_extract(record, '$.status') IN (${ACTIVE.map(() => "?").join(", ")}) LIMIT 1`,
    fileId,
    ...ACTIVE,
  );
  return row === undefined ? undefined : str(row.id);
}
