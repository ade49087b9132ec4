/**
 * SQL for the batch migrator's ledger (migration 10): its runs and the outcome of each input row.
 * Inserts swallow unique conflicts so a resumed run and a second process on the same file are
 * told apart by the caller, without an error that would abort a PostgreSQL transaction.
 */
import type { Selectable } from "kysely";
import type { MigrationRowsTable, MigrationRunsTable } from "./db-schema";
import type { QueryContext } from "./query-context";
import type { MigrationRowRecord, MigrationRunRow, NewMigrationRun } from "./store-types";

function toRunRow(ctx: QueryContext, r: Selectable<MigrationRunsTable>): MigrationRunRow {
  return {
    runId: r.run_id,
    sid: r.sid,
    kind: r.kind,
    fileName: r.file_name,
    fileSha256: r.file_sha256,
    options: r.options,
    summary: r.summary,
    startedAt: ctx.codec.fromDb(r.started_at),
    updatedAt: ctx.codec.fromDb(r.updated_at),
    finishedAt: r.finished_at === null ? null : ctx.codec.fromDb(r.finished_at),
  };
}

function toRecord(r: Selectable<MigrationRowsTable>): MigrationRowRecord {
  return { line: Number(r.line), key: r.item_key, status: r.status, newId: r.new_id, errorCode: r.error_code, message: r.message };
}

export async function openMigrationRunRow(ctx: QueryContext, run: NewMigrationRun): Promise<{ run: MigrationRunRow; created: boolean }> {
  const now = ctx.codec.toDb(ctx.now());
  const inserted = await ctx.db
    .insertInto("migration_runs")
    .values({
      run_id: run.runId,
      sid: run.sid,
      kind: run.kind,
      file_name: run.fileName,
      file_sha256: run.fileSha256,
      options: run.options,
      summary: null,
      started_at: now,
      updated_at: now,
      finished_at: null,
    })
    .onConflict((oc) => oc.column("run_id").doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { run: toRunRow(ctx, inserted), created: true };
  // A resumed run: it is unfinished again until it ends.
  const existing = await ctx.db
    .updateTable("migration_runs")
    .set({ updated_at: now, finished_at: null })
    .where("run_id", "=", run.runId)
    .returningAll()
    .executeTakeFirstOrThrow();
  return { run: toRunRow(ctx, existing), created: false };
}

export async function finishMigrationRunRow(ctx: QueryContext, runId: string, summary: string): Promise<void> {
  const now = ctx.codec.toDb(ctx.now());
  await ctx.db.updateTable("migration_runs").set({ summary, updated_at: now, finished_at: now }).where("run_id", "=", runId).execute();
}

/** A row's outcome; a row redone after a transient error replaces its earlier outcome. */
export async function upsertMigrationRow(ctx: QueryContext, runId: string, r: MigrationRowRecord): Promise<void> {
  const values = { item_key: r.key, status: r.status, new_id: r.newId, error_code: r.errorCode, message: r.message };
  await ctx.db
    .insertInto("migration_rows")
    .values({ run_id: runId, line: r.line, ...values, created_at: ctx.codec.toDb(ctx.now()) })
    .onConflict((oc) => oc.columns(["run_id", "line"]).doUpdateSet(values))
    .execute();
}

export async function selectMigrationRows(ctx: QueryContext, runId: string, fromLine: number, toLine: number): Promise<MigrationRowRecord[]> {
  const rows = await ctx.db
    .selectFrom("migration_rows")
    .selectAll()
    .where("run_id", "=", runId)
    .where("line", ">=", fromLine)
    .where("line", "<=", toLine)
    .orderBy("line")
    .execute();
  return rows.map(toRecord);
}
