/**
 * CLI: validates a mappings directory — the argument, else MAPPINGS_DIR, else ./mappings, the
 * same one the gateway would load — and prints "mappings OK: N files in DIR", or one line per
 * problem and a count, exiting 1. Reads files only; never writes or connects anywhere.
 * Usage: npm run mappings:check [-- dir]
 */
import { resolve } from "node:path";

import { isAppError } from "../src/errors/app-error";
import { checkMappingDir, loadMappingTable } from "../src/mapping";
import { DEFAULT_KINDS } from "../src/transitions/default-kinds";
import { createKindRegistry } from "../src/transitions/kind-registry";

/** Rows of operations.yaml whose action no transition kind serves (or its kind refuses). */
function kindProblems(dir: string): string[] {
  try {
    createKindRegistry(DEFAULT_KINDS).assertCovers(loadMappingTable(dir));
    return [];
  } catch (err) {
    if (!isAppError(err)) throw err;
    return (err.opts.details ?? []).map((d) => `${d.path}: ${d.message}`);
  }
}

function main(argv: readonly string[], env: NodeJS.ProcessEnv): number {
  const dir = resolve(argv[0] ?? env.MAPPINGS_DIR ?? "mappings");
  const found = checkMappingDir(dir);
  const problems = found.length > 0 ? found : kindProblems(dir);
  if (problems.length > 0) {
    for (const p of problems) process.stdout.write(`${p}\n`);
    process.stdout.write(`mappings in ${dir}: ${problems.length} ${problems.length === 1 ? "problem" : "problems"}\n`);
    return 1;
  }
  process.stdout.write(`mappings OK: ${loadMappingTable(dir).files.length} files in ${dir}\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2), process.env);
