/**
 * `npm run bench`: legacy payments through the gateway vs straight to the UnivaPay sandbox,
 * webhook ingest and kickback delivery, on SQLite and PostgreSQL, in one run (~2–3 min).
 * Progress goes to stderr; the Markdown table to stdout; the full figures to
 * bench/results/<timestamp>.json and bench/results/latest.json. See bench/README.md.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseBenchOptions } from "./bench/options";
import { renderMarkdown } from "./bench/report";
import { runBench } from "./bench/run-bench";

async function main(): Promise<void> {
  const opts = parseBenchOptions(process.argv.slice(2));
  const t0 = performance.now();
  const log = (msg: string): void => {
    process.stderr.write(`[bench +${((performance.now() - t0) / 1000).toFixed(1)}s] ${msg}\n`);
  };
  const report = await runBench(opts, log);
  mkdirSync(opts.outDir, { recursive: true });
  const json = JSON.stringify(report, null, 2) + "\n";
  const stamped = join(opts.outDir, `${report.startedAt.replace(/[:.]/g, "-")}.json`);
  writeFileSync(stamped, json);
  writeFileSync(join(opts.outDir, "latest.json"), json);
  log(`wrote ${stamped} and latest.json`);
  process.stdout.write(renderMarkdown(report));
}

main().catch((err: unknown) => {
  // One line for the operator; the stack only when asked for (BENCH_DEBUG=1).
  const detail = err instanceof Error ? (process.env.BENCH_DEBUG ? (err.stack ?? err.message) : err.message) : String(err);
  process.stderr.write(`bench failed: ${detail}\n`);
  process.exitCode = 1;
});
