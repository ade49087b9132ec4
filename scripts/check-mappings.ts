/**
 * CLI: validates a mappings directory (default ./mappings) and prints "mappings OK: N files" or
 * one line per problem, exiting 1. Reads files only; never writes or connects anywhere.
 * Usage: node dist/scripts/check-mappings.js [dir]
 */
import { resolve } from "node:path";

import { checkMappingDir, loadMappingTable } from "../src/mapping";

function main(argv: readonly string[]): number {
  const dir = resolve(argv[0] ?? "mappings");
  const problems = checkMappingDir(dir);
  if (problems.length > 0) {
    for (const p of problems) process.stdout.write(`${p}\n`);
    return 1;
  }
  process.stdout.write(`mappings OK: ${loadMappingTable(dir).files.length} files\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
