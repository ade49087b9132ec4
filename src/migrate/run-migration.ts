/**
 * One run of the batch migrator over one input file: rows streamed from the file through the
 * layout, each validated, checked against UnivaPay and the store, then stored with its ledger row
 * in one transaction; results written in input order. Memory stays flat whatever the file's size:
 * at most `concurrency` rows are in flight and a bounded window waits to be written in order.
 *
 * Resumable: the run's id comes from the file's bytes, and every finished row is in the ledger, so
 * a rerun after a kill copies finished rows from the ledger into the result file and does only
 * the others. Paced by the UnivaPay client's per-store rate-limit buckets (synced from UnivaPay's
 * headers); a row whose check UnivaPay could not answer (unreachable, still 429 after the
 * client's own retries) is retried here with a backoff, and only then reported `error`.
 */
import { createHash } from "node:crypto";
import { basename } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { AppError } from "../errors/app-error";
import type { CompiledMigrationLayout } from "../mapping/mapping-table";
import type { MigrationRowRecord } from "../store/store-types";
import { openCsv, type CsvEncoding } from "./csv-records";
import { digestFile } from "./file-digest";
import { layoutRows, type InputRow } from "./input-rows";
import type { MigrationContext, MigrationKindModule } from "./migration-kind";
import { ResultFile } from "./result-file";
import { FINISHED_STATUSES, rowFailed, RowRefused, type RowOutcome, type RowStatus } from "./row-outcome";
import type { DriftNote } from "../recurring/drift-notes";
import { DriftReport } from "./drift-report";
import { RowWindow } from "./row-window";

export interface RetryPolicy {
  readonly attempts: number;
  readonly baseMs: number;
  readonly maxMs: number;
}
/** About a minute of retries per row before it is left for a rerun. */
export const ROW_RETRY: RetryPolicy = { attempts: 6, baseMs: 1_000, maxMs: 30_000 };

export interface RunSettings {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each kind has its own plan type
  readonly kind: MigrationKindModule<any>;
  readonly layout: CompiledMigrationLayout;
  readonly file: string;
  readonly encoding: CsvEncoding | "auto";
  readonly dryRun: boolean;
  readonly resultsPath: string;
  readonly concurrency: number;
  readonly retry?: RetryPolicy;
  readonly onProgress?: (p: RunProgress) => void;
  /** Stops reading new rows; rows in flight finish and are recorded. */
  readonly signal?: AbortSignal;
}

export interface RunProgress {
  readonly done: number;
  /** Lines in the file (header included): an upper bound of the rows. */
  readonly total: number;
  /** Rows copied from an earlier run's ledger. */
  readonly skipped: number;
  readonly startedAt: number;
}

export interface RunSummary {
  readonly runId: string;
  readonly kind: string;
  readonly sid: string;
  readonly file: string;
  readonly encoding: CsvEncoding;
  readonly dryRun: boolean;
  readonly resumed: boolean;
  /** The run stopped before the end of the file (a signal). */
  readonly interrupted: boolean;
  readonly rows: number;
  /** Of `rows`, those an earlier run had finished. */
  readonly skipped: number;
  readonly statuses: Readonly<Record<RowStatus, number>>;
  readonly codes: Readonly<Record<string, number>>;
  readonly durationMs: number;
  readonly resultsPath: string;
  /** Kinds with a drift report (auto-billings): its file, the rows with a note, and notes by code. */
  readonly drift?: { readonly path: string; readonly rows: number; readonly codes: Readonly<Record<string, number>> };
}

/** `<results>.drift.csv` beside the result file. */
export const driftPathOf = (resultsPath: string): string => `${resultsPath.replace(/\.csv$/, "")}.drift.csv`;

interface DoneRow {
  readonly rec: MigrationRowRecord;
  /** Copied from an earlier pass's ledger rather than done now. */
  readonly fromLedger: boolean;
}

/**
 * The run of one file: its bytes and everything that decides a row's answer (the layout's columns
 * and headers, the encoding, the kind's rules in migration.yaml). A fix to any of them is a new
 * run, so rows an earlier pass refused under the old settings are done again.
 */
export function migrationRunId(sid: string, kind: string, options: string, fileSha256: string): string {
  return createHash("sha256").update(`${sid}\u0000${kind}\u0000${options}\u0000${fileSha256}`).digest("hex").slice(0, 24);
}

/** Finished rows of an earlier pass, fetched a chunk of lines at a time (lines only grow). */
class LedgerCursor {
  private rows = new Map<number, MigrationRowRecord>();
  private through = 0;
  constructor(
    private readonly ctx: MigrationContext,
    private readonly runId: string,
    private readonly enabled: boolean,
  ) {}
  async finished(line: number): Promise<MigrationRowRecord | undefined> {
    if (!this.enabled) return undefined;
    if (line > this.through) {
      const to = line + 999;
      const rows = await this.ctx.store.listMigrationRows(this.runId, line, to);
      this.rows = new Map(rows.filter((r) => (FINISHED_STATUSES as readonly string[]).includes(r.status)).map((r) => [r.line, r]));
      this.through = to;
    }
    return this.rows.get(line);
  }
}

function isTransient(err: unknown): boolean {
  return err instanceof AppError && err.code === "univapay_unavailable" && err.retryable;
}

/** A create may be resent whenever UnivaPay did not answer: its Idempotency-Key makes it one. */
function isUnanswered(err: unknown): boolean {
  return err instanceof AppError && err.code === "univapay_unavailable";
}

export async function runMigration(ctx: MigrationContext, s: RunSettings): Promise<RunSummary> {
  const started = Date.now();
  const digest = await digestFile(s.file);
  const source = await openCsv(s.file, { encoding: s.encoding });
  const { memberTokenTypes, chargeStates, autoBillingStates } = ctx.table.migration;
  const options = JSON.stringify({
    layout: s.layout,
    encoding: source.encoding,
    rules: { memberTokenTypes, chargeStates, autoBillingStates, minLeadDays: ctx.minLeadDays },
  });
  const runId = migrationRunId(ctx.merchant.sid, s.kind.kind, options, digest.sha256);
  let resumed = false;
  if (!s.dryRun) {
    const opened = await ctx.store.openMigrationRun({
      runId,
      sid: ctx.merchant.sid,
      kind: s.kind.kind,
      fileName: basename(s.file),
      fileSha256: digest.sha256,
      options,
    });
    resumed = !opened.created;
  }
  const ledger = new LedgerCursor(ctx, runId, resumed);
  const retry = s.retry ?? ROW_RETRY;
  const statuses: Record<RowStatus, number> = { migrated: 0, unchanged: 0, checked: 0, failed: 0, error: 0 };
  const codes: Record<string, number> = {};
  let rows = 0;
  let skipped = 0;

  const withRetries = async <T>(step: () => Promise<T>, retryable: (err: unknown) => boolean) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await step();
      } catch (err) {
        if (!retryable(err)) throw err;
        if (attempt >= retry.attempts) return { ok: false as const, outcome: rowFailed("unavailable", (err as Error).message) };
        await sleep(Math.min(retry.maxMs, retry.baseMs * 2 ** (attempt - 1)));
      }
    }
  };

  const doRow = async (row: InputRow): Promise<MigrationRowRecord> => {
    const record = (key: string, o: RowOutcome): MigrationRowRecord => ({
      line: row.line,
      key,
      status: o.status,
      newId: o.newId,
      errorCode: o.code,
      message: o.message,
    });
    if ("problem" in row) {
      const rec = record("", rowFailed("bad_row", row.problem));
      if (!s.dryRun) await ctx.store.recordMigrationRow(runId, rec);
      return rec;
    }
    const key = s.kind.keyOf(row.fields);
    const invalid = s.kind.validate(row.fields);
    const fields = row.fields;
    const checked = invalid ? { ok: false as const, outcome: invalid } : await withRetries(() => s.kind.check(ctx, fields), isTransient);
    if (checked.ok && "drift" in checked && checked.drift) drifts.set(row.line, checked.drift);
    const acted = !checked.ok || s.dryRun || !s.kind.act ? checked : await withRetries(() => s.kind.act!(ctx, checked.plan), isUnanswered);
    if (!acted.ok || s.dryRun) {
      const rec = record(key, acted.ok ? { status: "checked", newId: acted.newId, code: null, message: "" } : acted.outcome);
      if (!s.dryRun) await ctx.store.recordMigrationRow(runId, rec);
      return rec;
    }
    try {
      // The mapping and its ledger row commit together: a kill never leaves one without the other.
      return await ctx.store.transaction(async (tx) => {
        const rec = record(key, await s.kind.apply(tx, ctx, acted.plan));
        await tx.recordMigrationRow(runId, rec);
        return rec;
      });
    } catch (err) {
      if (!(err instanceof RowRefused)) throw err;
      const rec = record(key, err.outcome);
      await ctx.store.recordMigrationRow(runId, rec);
      return rec;
    }
  };
  /** Drift notes of rows in flight, by line (taken when the row is written out). */
  const drifts = new Map<number, readonly DriftNote[]>();
  const driftOf = async (rec: MigrationRowRecord, fromLedger: boolean): Promise<readonly DriftNote[]> => {
    const notes = drifts.get(rec.line);
    drifts.delete(rec.line);
    if (!["migrated", "unchanged", "checked"].includes(rec.status)) return [];
    if (notes) return notes;
    // Rows an earlier run stored (from its ledger, or found unchanged now): their notes are in the store.
    return (fromLedger || rec.status === "unchanged") && s.kind.storedDrift ? s.kind.storedDrift(ctx, rec) : [];
  };

  const results = await ResultFile.open(s.resultsPath);
  const drift = s.kind.storedDrift ? await DriftReport.open(driftPathOf(s.resultsPath)) : undefined;
  const window = new RowWindow<DoneRow>(s.concurrency);
  const emit = async ({ rec, fromLedger }: DoneRow) => {
    await results.add(rec);
    if (drift) await drift.add(rec, await driftOf(rec, fromLedger));
    rows++;
    statuses[rec.status as RowStatus]++;
    if (rec.errorCode) codes[rec.errorCode] = (codes[rec.errorCode] ?? 0) + 1;
    s.onProgress?.({ done: rows, total: digest.lines, skipped, startedAt: started });
  };
  let interrupted = false;
  try {
    for await (const row of layoutRows(source.records(), s.layout)) {
      if (s.signal?.aborted) {
        interrupted = true;
        break;
      }
      // Taken from the ledger only when it is the same row (a file rewritten in place is not).
      const found = await ledger.finished(row.line);
      const earlier = found && found.key === ("problem" in row ? "" : s.kind.keyOf(row.fields)) ? found : undefined;
      if (earlier) skipped++;
      const done = earlier ? Promise.resolve({ rec: earlier, fromLedger: true }) : doRow(row).then((rec) => ({ rec, fromLedger: false }));
      for (const d of await window.push(done, !earlier)) await emit(d);
    }
    for (const d of await window.drain()) await emit(d);
  } finally {
    await window.settle();
    await results.close();
    await drift?.close();
  }
  const summary: RunSummary = {
    runId,
    kind: s.kind.kind,
    sid: ctx.merchant.sid,
    file: s.file,
    encoding: source.encoding,
    dryRun: s.dryRun,
    resumed,
    interrupted,
    rows,
    skipped,
    statuses,
    codes,
    durationMs: Date.now() - started,
    resultsPath: s.resultsPath,
    ...(drift ? { drift: { path: driftPathOf(s.resultsPath), rows: drift.rows, codes: drift.codes } } : {}),
  };
  if (!s.dryRun && !interrupted) await ctx.store.finishMigrationRun(runId, JSON.stringify({ ...summary, file: basename(s.file) }));
  return summary;
}
