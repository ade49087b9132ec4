/**
 * `npm run migrate -- <kind> --sid SID --file FILE [options]`: the batch migrator on the gateway's
 * core, against the same database, while the gateway serves. Exit codes: 0 every row done, 1 some
 * rows failed (the result file says which and why), 2 the run itself failed (bad command line,
 * configuration, unreadable file, database, interrupted before the end).
 */
import { existsSync, statSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Config } from "../config/config";
import { createCore, verifiedMerchant } from "../core";
import { AppError } from "../errors/app-error";
import type { Logger } from "../logging/logger";
import { MIGRATION_KINDS, type MigrationKind } from "../mapping/migration-schema";
import type { CsvEncoding } from "../migrate/csv-records";
import { MIGRATION_KIND_MODULES } from "../migrate/migration-kinds";
import { createProgressReporter, formatDuration, type ProgressSink } from "../migrate/progress-reporter";
import { ROW_CODES } from "../migrate/row-outcome";
import { runMigration, type RunSummary } from "../migrate/run-migration";
import { lockRun, type RunLock } from "../migrate/run-lock";
import { UsageError } from "./cli-error";

export interface MigrateArgs {
  readonly kind?: string;
  readonly sid?: string;
  readonly file?: string;
  readonly layout?: string;
  readonly encoding?: string;
  readonly results?: string;
  readonly concurrency?: string;
  readonly dryRun?: boolean;
  /** autobillings: create the subscriptions from the legacy schedule instead of mapping existing ones. */
  readonly create?: boolean;
  readonly minLeadDays?: string;
}

export interface MigrateIo {
  readonly out: (line: string) => void;
  readonly progress: ProgressSink;
  readonly tty: boolean;
  readonly signal?: AbortSignal;
}

/** What a merchant types: `autobillings --create` is the kind autobillings-create. */
const COMMAND_KINDS = MIGRATION_KINDS.filter((k) => k !== "autobillings-create");
export const MIGRATE_USAGE = `npm run migrate -- <${COMMAND_KINDS.join("|")}> --sid SID --file FILE [--create] [--min-lead-days N] [--layout NAME] [--encoding auto|utf-8|shift_jis] [--results FILE] [--concurrency N] [--dry-run]`;

/** Long enough that a full bucket is waited for, never failed: the whole point is pacing. */
const RATE_LIMIT_WAIT_MS = 120_000;
const ENCODINGS: Record<string, CsvEncoding | "auto"> = {
  auto: "auto",
  "utf-8": "utf-8",
  utf8: "utf-8",
  shift_jis: "shift_jis",
  sjis: "shift_jis",
  cp932: "shift_jis",
};

function parseArgs(args: MigrateArgs) {
  if (!args.kind || !(COMMAND_KINDS as readonly string[]).includes(args.kind)) {
    throw new UsageError(`${MIGRATE_USAGE}${args.kind ? ` (unknown kind ${args.kind})` : ""}`);
  }
  if (args.create === true && args.kind !== "autobillings") throw new UsageError(`--create is for autobillings only, not ${args.kind}`);
  if (args.minLeadDays !== undefined && args.create !== true) throw new UsageError("--min-lead-days goes with autobillings --create");
  const kind: MigrationKind = args.create === true ? "autobillings-create" : (args.kind as MigrationKind);
  const minLeadDays = args.minLeadDays === undefined ? undefined : Number(args.minLeadDays);
  if (minLeadDays !== undefined && (!Number.isInteger(minLeadDays) || minLeadDays < 1 || minLeadDays > 60)) {
    throw new UsageError(`--min-lead-days must be a whole number of days from 1 to 60, got ${args.minLeadDays}`);
  }
  const missing = [!args.sid && "--sid", !args.file && "--file"].filter((x): x is string => typeof x === "string");
  if (!args.sid || !args.file) throw new UsageError(`${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} missing\n  ${MIGRATE_USAGE}`);
  if (!existsSync(args.file)) throw new UsageError(`--file ${args.file}: no such file`);
  if (!statSync(args.file).isFile()) throw new UsageError(`--file ${args.file}: a directory, not a file`);
  const encoding = ENCODINGS[(args.encoding ?? "auto").toLowerCase()];
  if (!encoding) throw new UsageError(`--encoding must be auto, utf-8 or shift_jis, got ${args.encoding}`);
  const concurrency = Number(args.concurrency ?? "16");
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new UsageError("--concurrency must be 1 to 64");
  return { kind, sid: args.sid, file: args.file, encoding, concurrency, layout: args.layout ?? kind, minLeadDays };
}

export function summaryLines(s: RunSummary): string[] {
  const rate = s.rows - s.skipped > 0 ? ((s.rows - s.skipped) / Math.max(1, s.durationMs)) * 1000 : 0;
  const codes = Object.entries(s.codes)
    .sort((a, b) => b[1] - a[1])
    .map(([c, n]) => `${c} ${n}`)
    .join(", ");
  const st = s.statuses;
  const lines = [
    `${s.dryRun ? "dry run, nothing written: " : ""}${s.kind} of sid ${s.sid}: ${s.rows} rows of ${s.file} (${s.encoding}) in ${formatDuration(s.durationMs)}, ${rate.toFixed(1)} rows/s`,
    `  ${s.dryRun ? `checked ${st.checked}` : `migrated ${st.migrated}`} · unchanged ${st.unchanged} · failed ${st.failed} · error ${st.error}${codes ? ` (${codes})` : ""}`,
  ];
  if (s.skipped > 0) lines.push(`  resumed run ${s.runId}: ${s.skipped} rows were finished by an earlier pass and not done again`);
  if (s.drift) {
    const codes = Object.entries(s.drift.codes)
      .map(([c, n]) => `${c} ${n}`)
      .join(", ");
    lines.push(`  drift: ${s.drift.rows} rows whose schedule differs from the old one${codes ? ` (${codes})` : ""}: ${s.drift.path}`);
  }
  if (s.interrupted) lines.push("  interrupted before the end of the file: run the same command again to go on");
  const unresolved = s.codes["unresolved"] ?? 0;
  if (st.error - unresolved > 0)
    lines.push(`  ${st.error - unresolved} rows could not be checked (UnivaPay unreachable): run the same command again to retry them`);
  if (unresolved > 0)
    lines.push(`  ${unresolved} auto-billings wait for a person (unresolved): npm run ops -- resolve-autobilling for each (the result file names them)`);
  lines.push(`  results: ${s.resultsPath}`);
  return lines;
}

/** Runs one migration; resolves the exit code (0 or 1), throws for a run that failed (2). */
export async function migrateCommand(config: Config, logger: Logger, args: MigrateArgs, io: MigrateIo): Promise<number> {
  const a = parseArgs(args);
  const core = await createCore(config, { logger, withStore: true, rateLimitWaitMs: RATE_LIMIT_WAIT_MS });
  let lock: RunLock | undefined;
  try {
    const layout = core.table.migration.layouts[a.layout];
    if (!layout) throw new UsageError(`--layout ${a.layout}: not in mappings/migration.yaml (it has: ${Object.keys(core.table.migration.layouts).join(", ")})`);
    if (layout.kind !== a.kind) throw new UsageError(`--layout ${a.layout} is a layout of ${layout.kind}, not ${a.kind}`);
    const merchant = await verifiedMerchant(core, a.sid);
    const resultsPath = args.results ?? `${a.file}.results.csv`;
    if (!existsSync(dirname(resultsPath)) || !statSync(dirname(resultsPath)).isDirectory())
      throw new UsageError(`--results ${resultsPath}: the folder ${dirname(resultsPath)} does not exist`);
    lock = lockRun(resultsPath);
    const progress = createProgressReporter(io.progress, io.tty);
    const summary = await runMigration(
      {
        client: core.client,
        store: core.store!,
        table: core.table,
        merchant,
        now: () => new Date(),
        minLeadDays: a.minLeadDays ?? core.table.migration.minLeadDays,
      },
      {
        kind: MIGRATION_KIND_MODULES[a.kind],
        layout,
        file: a.file,
        encoding: a.encoding,
        dryRun: args.dryRun === true,
        resultsPath,
        concurrency: a.concurrency,
        onProgress: (p) => progress.update(p),
        ...(io.signal ? { signal: io.signal } : {}),
      },
    );
    progress.end(!summary.interrupted);
    await writeFile(`${resultsPath.replace(/\.csv$/, "")}.summary.json`, `${JSON.stringify({ ...summary, codeMeanings: ROW_CODES }, null, 2)}\n`);
    for (const line of summaryLines(summary)) io.out(line);
    if (summary.interrupted) throw new AppError("internal", "the run was interrupted; rerun the same command to resume");
    return summary.statuses.failed + summary.statuses.error > 0 ? 1 : 0;
  } finally {
    lock?.release();
    await core.close();
  }
}
