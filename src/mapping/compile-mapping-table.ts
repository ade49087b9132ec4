/**
 * Turns the parsed YAML documents of mappings/ into a MappingTable, or into the full list of
 * problems (schema issues of every file, then cross-file checks). Pure: the loader does the I/O.
 * Never returns a partially valid table.
 */
import type { z } from "zod";

import { checkErrorDefaults, checkOperationKeys, checkRecurringKeys, checkRuleKeys, checkServiceKeys } from "./check-error-keys";
import { checkServiceDefaults, compileOperations, compileServices } from "./compile-operations";
import { compileErrors } from "./compile-errors";
import { compileRecurring } from "./compile-recurring";
import { compileRuleSets } from "./compile-rules";
import { compileStatuses } from "./compile-statuses";
import { ProblemSink, zodProblems, type MappingProblem } from "./mapping-problem";
import {
  ErrorsFileSchema,
  FieldsFileSchema,
  LAYOUTS,
  LayoutFileSchema,
  OperationsFileSchema,
  ParamsFileSchema,
  ServicesFileSchema,
  StatusesFileSchema,
  type LayoutFile,
  type MappingFile,
  type ParamsFile,
} from "./mapping-schema";
import type { CompiledLayout, CompiledParams, MappingTable } from "./mapping-table";
import { RecurringFileSchema } from "./recurring-schema";
import { compileMigration } from "./compile-migration";
import { MigrationFileSchema } from "./migration-schema";

export type ParsedDocs = Readonly<Partial<Record<MappingFile, unknown>>>;
export type CompileResult = { ok: true; table: MappingTable } | { ok: false; problems: MappingProblem[] };

function parseFile<S extends z.ZodType>(problems: MappingProblem[], docs: ParsedDocs, file: MappingFile, schema: S): z.infer<S> | undefined {
  if (!(file in docs)) {
    // An unreadable file was already reported by the loader; only a plain absence is new.
    if (!problems.some((p) => p.file === file)) problems.push({ file, path: "", message: "file is missing" });
    return undefined;
  }
  const r = schema.safeParse(docs[file]);
  if (r.success) return r.data;
  problems.push(...zodProblems(file, r.error));
  return undefined;
}

function compileParams(file: ParamsFile): CompiledParams {
  const names = new Set([...file.spec.names, ...file.card.names, ...file.reserved.names]);
  const patterns = [...file.spec.patterns, ...file.reserved.patterns].map((p) => new RegExp(`^(?:${p})$`));
  return { names, patterns, cardNames: new Set(file.card.names) };
}

function compileLayout(sink: ProblemSink, file: LayoutFile, params: CompiledParams | undefined): CompiledLayout {
  for (const layout of LAYOUTS) {
    const seen = new Set<string>();
    file[layout].fields.forEach((f, i) => {
      if (seen.has(f.name)) sink.add(`${layout}.fields.${i}`, `duplicate field "${f.name}"`);
      seen.add(f.name);
      // A result field that counted as a merchant field would be emitted twice.
      const known = params === undefined || params.names.has(f.name) || params.patterns.some((p) => p.test(f.name));
      if (!known) sink.add(`${layout}.fields.${i}`, `"${f.name}" must be a spec or reserved name in params.yaml`);
    });
  }
  return {
    rst: { success: file.rst.success, failure: file.rst.failure, pending: file.rst.pending },
    ap: { test: file.ap.test, live: file.ap.live },
    fields: { reply: file.reply.fields, kickback: file.kickback.fields },
  };
}

/** `earlier` carries the loader's read/parse problems, so they come first and are not repeated. */
export function compileMappingTable(docs: ParsedDocs, earlier: readonly MappingProblem[] = []): CompileResult {
  const problems: MappingProblem[] = [...earlier];
  const sink = (file: MappingFile) => new ProblemSink(problems, file);
  const params = parseFile(problems, docs, "params.yaml", ParamsFileSchema);
  const services = parseFile(problems, docs, "services.yaml", ServicesFileSchema);
  const operations = parseFile(problems, docs, "operations.yaml", OperationsFileSchema);
  const fields = parseFile(problems, docs, "fields.yaml", FieldsFileSchema);
  const statuses = parseFile(problems, docs, "statuses.yaml", StatusesFileSchema);
  const errors = parseFile(problems, docs, "errors.yaml", ErrorsFileSchema);
  const layout = parseFile(problems, docs, "layout.yaml", LayoutFileSchema);
  const recurring = parseFile(problems, docs, "recurring.yaml", RecurringFileSchema);
  const migration = parseFile(problems, docs, "migration.yaml", MigrationFileSchema);

  if (services) checkServiceKeys(sink("services.yaml"), services);
  if (operations) checkOperationKeys(sink("operations.yaml"), operations);
  if (fields) checkRuleKeys(sink("fields.yaml"), fields);
  if (errors) checkErrorDefaults(sink("errors.yaml"), errors);
  if (recurring) checkRecurringKeys(sink("recurring.yaml"), recurring);
  const cParams = params && compileParams(params);
  const cServices = services && compileServices(sink("services.yaml"), services);
  if (cServices) checkServiceDefaults(sink("services.yaml"), cServices);
  const cOperations = operations && compileOperations(sink("operations.yaml"), operations);
  const ruleSets = fields && compileRuleSets(sink("fields.yaml"), fields);
  if (fields && fields.limits.amount.min > fields.limits.amount.max) sink("fields.yaml").add("limits.amount", "min is above max");
  const cStatuses = statuses && compileStatuses(sink("statuses.yaml"), statuses);
  const cErrors = errors && compileErrors(sink("errors.yaml"), errors);
  const cLayout = layout && compileLayout(sink("layout.yaml"), layout, cParams);
  const cRecurring = recurring && compileRecurring(sink("recurring.yaml"), recurring);
  const cMigration = migration && compileMigration(sink("migration.yaml"), migration);

  if (problems.length > 0 || !cParams || !cServices || !cOperations || !fields || !ruleSets) return { ok: false, problems };
  if (!cStatuses || !cErrors || !cLayout || !cRecurring || !cMigration) return { ok: false, problems };
  const table: MappingTable = {
    files: Object.keys(docs).sort(),
    params: cParams,
    services: cServices,
    operations: cOperations,
    limits: { amount: { min: fields.limits.amount.min, max: fields.limits.amount.max } },
    ruleSets,
    statuses: cStatuses,
    errors: cErrors,
    layout: cLayout,
    recurring: cRecurring,
    migration: cMigration,
  };
  return { ok: true, table };
}
