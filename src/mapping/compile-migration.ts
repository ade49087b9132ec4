/**
 * Compiles mappings/migration.yaml: every layout must give each required field of its kind a
 * column, name no field its kind does not have, and put two fields in one column never. Pure.
 */
import type { ProblemSink } from "./mapping-problem";
import type { CompiledMigration, CompiledMigrationLayout } from "./mapping-table";
import { MIGRATION_KIND_FIELDS, type MigrationFile } from "./migration-schema";

/** How header cells are compared: "Transaction Token ID" = "transaction_token_id". */
export function headerKey(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\s_-]+/g, "");
}

function compileLayout(sink: ProblemSink, name: string, layout: MigrationFile["layouts"][string]): CompiledMigrationLayout | undefined {
  const at = `layouts.${name}`;
  const spec = MIGRATION_KIND_FIELDS[layout.kind];
  const known: readonly string[] = [...spec.required, ...spec.optional];
  const before = sink.count();
  for (const f of Object.keys(layout.fields)) {
    if (!known.includes(f)) sink.add(`${at}.fields.${f}`, `not a field of ${layout.kind} (its fields: ${known.join(", ")})`);
  }
  for (const f of spec.required) if (!(f in layout.fields)) sink.add(`${at}.fields`, `"${f}" is required for ${layout.kind}`);
  const byColumn = new Map<number, string>();
  const byHeader = new Map<string, string>();
  for (const [f, def] of Object.entries(layout.fields)) {
    const other = byColumn.get(def.column);
    if (other) sink.add(`${at}.fields.${f}.column`, `column ${def.column} is also "${other}"`);
    byColumn.set(def.column, f);
    for (const h of def.headers) {
      const taken = byHeader.get(headerKey(h));
      if (taken && taken !== f) sink.add(`${at}.fields.${f}.headers`, `"${h}" is also a header of "${taken}"`);
      byHeader.set(headerKey(h), f);
    }
  }
  if (sink.count() > before) return undefined;
  return {
    name,
    kind: layout.kind,
    fields: Object.entries(layout.fields).map(([f, def]) => ({
      name: f,
      column: def.column,
      headers: def.headers.map(headerKey),
      required: (spec.required as readonly string[]).includes(f),
    })),
  };
}

export function compileMigration(sink: ProblemSink, file: MigrationFile): CompiledMigration | undefined {
  const before = sink.count();
  const layouts: Record<string, CompiledMigrationLayout> = {};
  for (const [name, layout] of Object.entries(file.layouts)) {
    const c = compileLayout(sink, name, layout);
    if (c) layouts[name] = c;
  }
  if (sink.count() > before) return undefined;
  return {
    layouts,
    memberTokenTypes: file.members.tokenTypes,
    chargeStates: file.payments.chargeStates,
    autoBillingStates: file.autobillings.subscriptionStates,
    minLeadDays: file.autobillings.minLeadDays,
  };
}
