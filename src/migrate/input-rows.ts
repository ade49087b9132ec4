/**
 * CSV records → rows of named fields, by a layout of mappings/migration.yaml. The first record is
 * a header when it names every required field of the layout (then columns are found by name, in
 * any order, extra columns ignored); otherwise every record is data, read by position. A first
 * record that names some required fields but not all is a header with a typo: the run stops
 * before any row is done rather than read every row by the wrong columns.
 */
import { headerKey } from "../mapping/compile-migration";
import type { CompiledMigrationLayout } from "../mapping/mapping-table";
import { AppError } from "../errors/app-error";
import { isCsvProblem, type CsvProblem, type CsvRecord } from "./csv-records";
import type { RowFields } from "./migration-kind";

export type InputRow = { readonly line: number; readonly fields: RowFields } | { readonly line: number; readonly problem: string };

/** Field → 0-based column, from a header record; undefined when the record is not a header. */
function columnsFromHeader(layout: CompiledMigrationLayout, cells: readonly string[]): Map<string, number> | undefined {
  const keys = cells.map(headerKey);
  const found = new Map<string, number>();
  for (const f of layout.fields) {
    const at = keys.findIndex((k) => f.headers.includes(k));
    if (at !== -1) found.set(f.name, at);
  }
  const required = layout.fields.filter((f) => f.required);
  const named = required.filter((f) => found.has(f.name));
  if (named.length === 0) return undefined;
  if (named.length < required.length) {
    const missing = required.filter((f) => !found.has(f.name)).map((f) => `${f.name} (${[...new Set(f.headers)].join(" / ")})`);
    throw new AppError("bad_request", `the header row names ${named.map((f) => f.name).join(", ")} but not ${missing.join(", ")} (layout ${layout.name})`);
  }
  return found;
}

function positional(layout: CompiledMigrationLayout): Map<string, number> {
  return new Map(layout.fields.map((f) => [f.name, f.column - 1]));
}

export async function* layoutRows(records: AsyncIterable<CsvRecord | CsvProblem>, layout: CompiledMigrationLayout): AsyncGenerator<InputRow> {
  let columns: Map<string, number> | undefined;
  for await (const r of records) {
    if (isCsvProblem(r)) {
      yield { line: r.line, problem: r.reason };
      continue;
    }
    if (columns === undefined) {
      columns = columnsFromHeader(layout, r.cells);
      if (columns) continue;
      columns = positional(layout);
    }
    const fields: Record<string, string> = {};
    for (const [name, at] of columns) fields[name] = (r.cells[at] ?? "").trim();
    yield { line: r.line, fields };
  }
}
