/**
 * Reads and validates a request's auto-billing parameters (actp1, acdc1, acmc1, acam1, acrm1,
 * acrt1, acrd1) against recurring.yaml, collecting EVERY failure with the key the file gives
 * each parameter. Pure; knows nothing about dates.
 */
import { legacyFailure, parseYen, type LegacyFailure, type MappingTable, type Result } from "../mapping";
import type { CompiledCycleCode, RecurringRange } from "../mapping/mapping-table";
import type { ParamSource } from "../mapping/param-source";
import { CYCLE_PARAMS, type CycleParam, type RecurringParam } from "../mapping/recurring-schema";

export interface RecurringInput {
  readonly actp: string;
  readonly code: CompiledCycleCode;
  /** The code's required parameters as numbers; the others are ignored. */
  readonly values: ReadonlyMap<CycleParam, number>;
  readonly acdc: string | null;
  readonly acmc: string | null;
  readonly cycleAmount: number;
  /** acrm1, automatic charges after the first; null = unlimited (0 or omitted). */
  readonly automaticCharges: number | null;
  /** acrt1, or the legacy default. */
  readonly retryCount: number;
  /** acrd1 in days; null when omitted. */
  readonly retryDays: number | null;
}

/** An empty value counts as absent: legacy clients send `acrm1=` for "not set". */
const read = (params: ParamSource, name: RecurringParam): string | undefined => {
  const v = params.get(name);
  return v === undefined || v === "" ? undefined : v;
};

/** ASCII digits only: no sign, fraction or exponent, so "1e2", "+3" and "３" are refused. */
function wholeNumber(raw: string, range: RecurringRange): number | undefined {
  if (!/^[0-9]+$/.test(raw)) return undefined;
  const n = Number(raw);
  return n >= range.min && n <= range.max ? n : undefined;
}

export function readRecurringParams(table: MappingTable, params: ParamSource): Result<RecurringInput> {
  const rec = table.recurring;
  const failures: LegacyFailure[] = [];
  const fail = (param: RecurringParam, message: string) => failures.push(legacyFailure(table, rec.errors[param], message, param));
  const number = (param: RecurringParam, range: RecurringRange, what: string): number | undefined => {
    const raw = read(params, param);
    if (raw === undefined) return undefined;
    const n = wholeNumber(raw, range);
    if (n === undefined) fail(param, `${param} "${raw}" must be a whole number ${what} from ${range.min} to ${range.max}`);
    return n;
  };

  const actp = read(params, "actp1");
  const code = actp === undefined ? undefined : rec.cycles.get(actp);
  if (code === undefined)
    fail("actp1", actp === undefined ? "actp1 is missing" : `actp1 "${actp}" is not an auto-billing cycle code (${[...rec.cycles.keys()].join(", ")})`);
  const values = new Map<CycleParam, number>();
  // In the protocol table's order (acdc1, then acmc1), whatever order the YAML uses them in.
  for (const param of CYCLE_PARAMS) {
    const range = code?.params.get(param);
    if (range === undefined) continue;
    if (read(params, param) === undefined) fail(param, `${param} is required with actp1=${actp ?? ""}`);
    const n = number(param, range, `for actp1=${actp ?? ""}`);
    if (n !== undefined) values.set(param, n);
  }
  const cycleAmount = readAmount(table, read(params, "acam1"), fail);
  const automaticCharges = number("acrm1", rec.limits.acrm1, "of automatic charges");
  const retryCount = number("acrt1", rec.limits.acrt1, "of retries");
  const retryDays = number("acrd1", rec.limits.acrd1, "of days");

  if (failures.length > 0 || actp === undefined || code === undefined || cycleAmount === undefined) return { ok: false, failures };
  const given = (p: CycleParam) => (code.params.has(p) ? (read(params, p) ?? null) : null);
  return {
    ok: true,
    value: {
      actp,
      code,
      values,
      acdc: given("acdc1"),
      acmc: given("acmc1"),
      cycleAmount,
      automaticCharges: automaticCharges === undefined || automaticCharges === 0 ? null : automaticCharges,
      retryCount: retryCount ?? rec.defaults.legacyRetryCount,
      retryDays: retryDays ?? null,
    },
  };
}

/** acam1 is required; same yen format and bounds as a one-off charge (fields.yaml limits). */
function readAmount(table: MappingTable, raw: string | undefined, fail: (p: RecurringParam, m: string) => void): number | undefined {
  const { min, max } = table.limits.amount;
  if (raw === undefined) return void fail("acam1", "acam1 (the per-cycle amount) is missing");
  const y = parseYen(raw);
  if (y.ok && y.value >= min && y.value <= max) return y.value;
  fail("acam1", `acam1 "${raw}" must be a yen amount from ${min} to ${max}`);
  return undefined;
}
