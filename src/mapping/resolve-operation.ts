/**
 * Picks the operation row for a legacy request from (endpoint, job, ptype) and checks the
 * svid and the presence of the parameters that row requires. Collects every failure; decides
 * nothing about values (amounts, tokens, pids are the rule sets' and flows' business). Pure.
 */
import { failureFor } from "./error-codes";
import type { GatewayErrorKey, LegacyFailure, Result } from "./legacy-failure";
import type { Endpoint, OperationAction } from "./mapping-schema";
import type { CompiledOperation, MappingTable } from "./mapping-table";
import type { ParamSource } from "./param-source";

export interface ResolvedOperation {
  readonly id: string;
  readonly action: OperationAction;
  /** The row: kinds read their own settings from it (e.g. a charge row's `capture`). */
  readonly row: CompiledOperation;
  /** Canonical upper-case job, as echoed in replies and kickbacks. */
  readonly job: string;
  /** undefined: no svid was sent for an operation on an existing pid, whose own service applies. */
  readonly paymentType: string | undefined;
  readonly requires: readonly string[];
}

type Step<T> = { ok: true; value: T } | { ok: false; failure: LegacyFailure };

/** An empty value counts as absent: legacy clients send `pid=` when they have none. */
const present = (v: string | undefined): v is string => v !== undefined && v !== "";

function resolvePaymentType(table: MappingTable, endpoint: Endpoint, params: ParamSource): Step<string> {
  const raw = params.get("svid");
  const svid = present(raw) ? raw : table.services.missingSvid[endpoint];
  const type = svid === undefined ? undefined : table.services.paymentTypes.get(svid);
  return type === undefined ? { ok: false, failure: failureFor(table, table.services.unsupported, "svid") } : { ok: true, value: type };
}

/** A conditional row applies when its parameter is present and not one of its exceptions. */
function applies(row: CompiledOperation, params: ParamSource): boolean {
  if (!row.when) return true;
  const v = params.get(row.when.param);
  return present(v) && !row.when.except.includes(v);
}

function findRow(table: MappingTable, endpoint: Endpoint, job: string, ptype: string | undefined, params: ParamSource) {
  const all = table.operations.rows.filter((r) => r.endpoint === endpoint && r.job === job);
  // A conditional row that applies beats the plain one (e.g. actp1 makes a CAPTURE an auto-billing).
  const rows = [...all.filter((r) => r.when && applies(r, params)), ...all.filter((r) => !r.when)];
  // A row naming this ptype beats a row that accepts any ptype.
  const exact = rows.find((r) => r.ptype !== undefined && r.ptype === ptype);
  const row: CompiledOperation | undefined = exact ?? rows.find((r) => r.ptype === undefined);
  return { row, jobHasRows: all.length > 0 };
}

function resolveRow(table: MappingTable, endpoint: Endpoint, params: ParamSource): Step<CompiledOperation> {
  const fail = (key: GatewayErrorKey, field: string): Step<CompiledOperation> => ({
    ok: false,
    failure: failureFor(table, key, field),
  });
  const rawJob = params.get("job");
  if (!present(rawJob)) return fail("job_missing", "job");
  const job = rawJob.toUpperCase();
  if (!table.operations.knownJobs.has(job)) return fail("job_unknown", "job");
  const rawPtype = params.get("ptype");
  const ptype = present(rawPtype) ? rawPtype : undefined;
  if (ptype !== undefined && table.operations.unsupportedPtypes[endpoint].has(ptype)) return fail("ptype_unsupported", "ptype");
  const { row, jobHasRows } = findRow(table, endpoint, job, ptype, params);
  if (row !== undefined) return { ok: true, value: row };
  // The job exists for this endpoint but not with this ptype (e.g. payment.aspx AUTH ptype=2).
  return jobHasRows ? fail("ptype_unsupported", "ptype") : fail("job_not_supported", "job");
}

export function resolveOperation(table: MappingTable, endpoint: Endpoint, params: ParamSource): Result<ResolvedOperation> {
  const failures: LegacyFailure[] = [];
  const r = resolveRow(table, endpoint, params);
  const ofPayment = r.ok && r.value.svidOfPayment && !present(params.get("svid"));
  const svc: Step<string | undefined> = ofPayment ? { ok: true, value: undefined } : resolvePaymentType(table, endpoint, params);
  if (!r.ok) failures.push(r.failure);
  if (!svc.ok) failures.push(svc.failure);
  if (r.ok) {
    for (const name of r.value.requires) {
      const key = table.operations.requiredParams.get(name);
      if (!present(params.get(name)) && key !== undefined) failures.push(failureFor(table, key, name));
    }
  }
  if (failures.length > 0 || !r.ok || !svc.ok) return { ok: false, failures };
  const row = r.value;
  return {
    ok: true,
    value: {
      id: row.id,
      action: row.action,
      row,
      job: row.job,
      paymentType: svc.value,
      requires: row.requires,
    },
  };
}
