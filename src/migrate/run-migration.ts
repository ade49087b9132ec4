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
import type { CompiledMigrationLayout } from "../mapping/mapping-table";
import type { MigrationRowRecord } from "../store/store-types";
import { openCsv, type CsvEncoding } from "./csv-records";
import { digestFile } from "./file-digest";
import { layoutRows } from "./input-rows";
import { migrateRow, ROW_RETRY, type MigratedRow, type RowRetryPolicy, type RowJob } from "./migrate-row";
import type { MigrationContext, MigrationKindModule, RowContext } from "./migration-kind";
import { ResultFile } from "./result-file";
import { FINISHED_STATUSES, type RowStatus } from "./row-outcome";
import type { DriftNote } from "../recurring/drift-notes";
import { DriftReport } from "./drift-report";
import { RowWindow } from "./row-window";

export interface RunSettings {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each kind has its own plan type
  readonly kind: MigrationKindModule<any>;
  readonly layout: CompiledMigrationLayout;
  readonly file: string;
  readonly encoding: CsvEncoding | "auto";
  readonly dryRun: boolean;
  readonly resultsPath: string;
  readonly concurrency: number;
  readonly retry?: RowRetryPolicy;
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

interface DoneRow extends MigratedRow {
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
  const statuses: Record<RowStatus, number> = { migrated: 0, unchanged: 0, checked: 0, failed: 0, error: 0 };
  const codes: Record<string, number> = {};
  let rows = 0;
  let skipped = 0;

  const rowCtx: RowContext = { ...ctx, dryRun: s.dryRun, claims: new Set() };
  const job: RowJob = { kind: s.kind, runId, retry: s.retry ?? ROW_RETRY };
  const driftOf = async ({ rec, drift, fromLedger }: DoneRow): Promise<readonly DriftNote[]> => {
    if (!["migrated", "unchanged", "checked"].includes(rec.status)) return [];
    if (drift) return drift;
    // Rows an earlier run stored (from its ledger, or found unchanged now): their notes are in the store.
    return (fromLedger || rec.status === "unchanged") && s.kind.storedDrift ? s.kind.storedDrift(rowCtx, rec) : [];
  };

  const results = await ResultFile.open(s.resultsPath);
  const drift = s.kind.storedDrift ? await DriftReport.open(driftPathOf(s.resultsPath)) : undefined;
  const window = new RowWindow<DoneRow>(s.concurrency);
  const emit = async (done: DoneRow) => {
    const { rec } = done;
    await results.add(rec);
    if (drift) await drift.add(rec, await driftOf(done));
    rows++;
    // Counted as written out, so the progress rate (rows done now) never goes below zero.
    if (done.fromLedger) skipped++;
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
      const done = earlier ? Promise.resolve({ rec: earlier, fromLedger: true }) : migrateRow(rowCtx, job, row).then((m) => ({ ...m, fromLedger: false }));
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
