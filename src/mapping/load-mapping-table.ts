/**
 * Reads mappings/*.yaml and compiles them once. The only module of src/mapping that does I/O
 * (synchronous reads at start-up). A bad directory stops start-up with EVERY problem listed;
 * it never falls back to a default table.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { parseDocument } from "yaml";

import { AppError } from "../errors/app-error";
import { compileMappingTable, type CompileResult, type ParsedDocs } from "./compile-mapping-table";
import { formatProblem, type MappingProblem } from "./mapping-problem";
import { MAPPING_FILES, type MappingFile } from "./mapping-schema";
import type { MappingTable } from "./mapping-table";

const isMappingFile = (f: string): f is MappingFile => (MAPPING_FILES as readonly string[]).includes(f);

function readDocs(dir: string): { docs: Partial<Record<MappingFile, unknown>>; problems: MappingProblem[] } {
  const docs: Partial<Record<MappingFile, unknown>> = {};
  const problems: MappingProblem[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (err) {
    problems.push({ file: dir, path: "", message: `cannot read directory: ${(err as Error).message}` });
    return { docs, problems };
  }
  for (const name of entries.sort()) {
    if (!/\.ya?ml$/.test(name)) continue;
    // An unexpected file is most likely a misspelt one whose rules would silently not apply.
    if (!isMappingFile(name)) {
      problems.push({ file: name, path: "", message: `unexpected mapping file (expected one of ${MAPPING_FILES.join(", ")})` });
      continue;
    }
    const doc = parseDocument(readFileSync(join(dir, name), "utf8"), { uniqueKeys: true, prettyErrors: true });
    if (doc.errors.length > 0) {
      for (const e of doc.errors) problems.push({ file: name, path: "", message: `YAML: ${e.message.split("\n")[0] ?? ""}` });
      continue;
    }
    docs[name] = doc.toJS();
  }
  return { docs, problems };
}

function compileDir(dir: string): CompileResult {
  const { docs, problems } = readDocs(dir);
  return compileMappingTable(docs satisfies ParsedDocs, problems);
}

/** Every problem in `dir`, one formatted line each ("file: path: message"); [] when valid. */
export function checkMappingDir(dir: string): string[] {
  const r = compileDir(dir);
  return r.ok ? [] : r.problems.map(formatProblem);
}

/** Loads and compiles the table; throws AppError("mapping_invalid") listing every problem. */
export function loadMappingTable(dir: string): MappingTable {
  const r = compileDir(dir);
  if (r.ok) return r.table;
  const n = r.problems.length;
  throw new AppError("mapping_invalid", `mapping table in ${dir} is invalid (${n} ${n === 1 ? "problem" : "problems"})`, {
    details: r.problems.map((p) => ({ path: p.path === "" ? p.file : `${p.file}: ${p.path}`, message: p.message })),
  });
}
