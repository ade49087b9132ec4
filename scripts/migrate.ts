/**
 * `npm run migrate -- <kind> --sid SID --file FILE [options]`: batch migration of saved members,
 * pre-switch payments and auto-billings (README "Batch migration"), with the environment of `npm start`.
 * Summary on stdout, progress and problems on stderr; exit 0 (all rows done), 1 (some rows
 * failed), 2 (the run itself failed). Ctrl-C stops reading; rows in flight finish and are recorded.
 */
import { parseArgs } from "node:util";
import pino from "pino";
import { renderCliError, UsageError } from "../src/cli/cli-error";
import { MIGRATE_USAGE, migrateCommand } from "../src/cli/migrate-command";
import { loadCliConfig } from "../src/cli/cli-config";
import { ConfigSchema } from "../src/config/config";
import { createLogger } from "../src/logging/logger";

const OPTIONS = {
  sid: { type: "string" },
  file: { type: "string" },
  layout: { type: "string" },
  encoding: { type: "string" },
  results: { type: "string" },
  concurrency: { type: "string" },
  "dry-run": { type: "boolean" },
  create: { type: "boolean" },
  "min-lead-days": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

const LogLevel = ConfigSchema.shape.LOG_LEVEL.unwrap();

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    // Node's own text runs over three lines of advice about "--": its first sentence is the news.
    const first = ((err as Error).message.split("\n")[0] ?? "").split(/\.\s/)[0]?.replace(/\.$/, "");
    throw new UsageError(`${first}\n  ${MIGRATE_USAGE}`);
  }
  if (parsed.values.help === true) {
    process.stdout.write(`${MIGRATE_USAGE}\n  (README "Batch migration" explains each option)\n`);
    return 0;
  }
  const [kind, ...rest] = parsed.positionals;
  if (rest.length > 0) throw new UsageError(`unexpected ${rest.join(" ")}`);
  const v = parsed.values;
  const stop = new AbortController();
  const onSignal = () => {
    if (stop.signal.aborted) process.exit(2);
    process.stderr.write("\nstopping: rows in flight finish and are recorded (Ctrl-C again to quit now)\n");
    stop.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const logger = createLogger({ level: LogLevel.parse(process.env.LOG_LEVEL ?? "warn"), destination: pino.destination(2) });
  return migrateCommand(
    loadCliConfig(),
    logger,
    {
      kind,
      sid: v.sid,
      file: v.file,
      layout: v.layout,
      encoding: v.encoding,
      results: v.results,
      concurrency: v.concurrency,
      dryRun: v["dry-run"],
      create: v.create,
      minLeadDays: v["min-lead-days"],
    },
    { out: (line) => process.stdout.write(`${line}\n`), progress: process.stderr, tty: process.stderr.isTTY === true, signal: stop.signal },
  );
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    renderCliError(err, (line) => process.stderr.write(`${line}\n`));
    // Whatever went wrong, the run did not finish: 2, never 1 (which says "rows failed").
    process.exitCode = 2;
  },
);
