/**
 * One input row through its kind: validated, checked (UnivaPay GETs and store reads, retried while
 * UnivaPay is unreachable), acted on (a kind that creates something at UnivaPay, never in a dry
 * run), then stored with its ledger row in one transaction. Always ends in a ledger record: a row
 * refused at any step is recorded with its reason, so a rerun knows it was done.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { AppError } from "../errors/app-error";
import type { DriftNote } from "../recurring/drift-notes";
import type { MigrationRowRecord } from "../store/store-types";
import type { InputRow } from "./input-rows";
import type { MigrationKindModule, RowContext } from "./migration-kind";
import { rowFailed, RowRefused, type RowOutcome } from "./row-outcome";

export interface RowRetryPolicy {
  readonly attempts: number;
  readonly baseMs: number;
  readonly maxMs: number;
}
/** About a minute of retries per row before it is left for a rerun. */
export const ROW_RETRY: RowRetryPolicy = { attempts: 6, baseMs: 1_000, maxMs: 30_000 };

export interface RowJob {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each kind has its own plan type
  readonly kind: MigrationKindModule<any>;
  readonly runId: string;
  readonly retry: RowRetryPolicy;
}

export interface MigratedRow {
  readonly rec: MigrationRowRecord;
  /** The drift notes the check found (kinds with a drift report), before anything was stored. */
  readonly drift?: readonly DriftNote[];
}

function isTransient(err: unknown): boolean {
  return err instanceof AppError && err.code === "univapay_unavailable" && err.retryable;
}

/** A create may be resent whenever UnivaPay did not answer: its Idempotency-Key makes it one. */
function isUnanswered(err: unknown): boolean {
  return err instanceof AppError && err.code === "univapay_unavailable";
}

type Step<T> = T | { readonly ok: false; readonly outcome: RowOutcome };

async function withRetries<T>(retry: RowRetryPolicy, step: () => Promise<T>, retryable: (err: unknown) => boolean): Promise<Step<T>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (err) {
      if (!retryable(err)) throw err;
      if (attempt >= retry.attempts) return { ok: false, outcome: rowFailed("unavailable", (err as Error).message) };
      await sleep(Math.min(retry.maxMs, retry.baseMs * 2 ** (attempt - 1)));
    }
  }
}

export async function migrateRow(ctx: RowContext, job: RowJob, row: InputRow): Promise<MigratedRow> {
  const record = (key: string, o: RowOutcome): MigrationRowRecord => ({
    line: row.line,
    key,
    status: o.status,
    newId: o.newId,
    errorCode: o.code,
    message: o.message,
  });
  const finish = async (rec: MigrationRowRecord, drift?: readonly DriftNote[]): Promise<MigratedRow> => {
    if (!ctx.dryRun) await ctx.store.recordMigrationRow(job.runId, rec);
    return drift ? { rec, drift } : { rec };
  };
  if ("problem" in row) return finish(record("", rowFailed("bad_row", row.problem)));
  const { kind } = job;
  const fields = row.fields;
  const key = kind.keyOf(fields);
  const invalid = kind.validate(fields);
  if (invalid) return finish(record(key, invalid));
  const checked = await withRetries(job.retry, () => kind.check(ctx, fields), isTransient);
  if (!checked.ok) return finish(record(key, checked.outcome));
  const drift = checked.drift;
  if (ctx.dryRun) return finish(record(key, { status: "checked", newId: checked.newId, code: null, message: "" }), drift);
  const acted = kind.act ? await withRetries(job.retry, () => kind.act!(ctx, checked.plan), isUnanswered) : checked;
  if (!acted.ok) return finish(record(key, acted.outcome));
  try {
    // The mapping and its ledger row commit together: a kill never leaves one without the other.
    const rec = await ctx.store.transaction(async (tx) => {
      const r = record(key, await kind.apply(tx, ctx, acted.plan));
      await tx.recordMigrationRow(job.runId, r);
      return r;
    });
    return drift ? { rec, drift } : { rec };
  } catch (err) {
    if (!(err instanceof RowRefused)) throw err;
    return finish(record(key, err.outcome));
  }
}
