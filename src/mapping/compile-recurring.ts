/**
 * Compiles mappings/recurring.yaml: each actp1 code's body field and start_on rule, with the
 * parameters it reads resolved to their ranges. Rejects an entry whose parameters do not match
 * what its fields use, or a range that would let through a date UnivaPay refuses. Pure.
 */
import type { ProblemSink } from "./mapping-problem";
import type { CompiledCycleCode, CompiledRecurring, RecurringRange } from "./mapping-table";
import type { CycleInput, CycleParam, RangeKind, RecurringFile } from "./recurring-schema";

/** Hard bounds per range kind: a calendar day, UnivaPay's 999-days-ahead limit, ≥ 1 month. */
const RANGE_BOUNDS: Readonly<Record<RangeKind, RecurringRange>> = {
  dayOfMonth: { min: 1, max: 31 },
  days: { min: 1, max: 999 },
  months: { min: 1, max: Number.MAX_SAFE_INTEGER },
};

function checkRange(sink: ProblemSink, path: string, r: RecurringRange, bounds: RecurringRange): void {
  if (r.min > r.max) sink.add(path, "min is above max");
  if (r.min < bounds.min) sink.add(`${path}.min`, `must be at least ${bounds.min}`);
  if (r.max > bounds.max) sink.add(`${path}.max`, `must be at most ${bounds.max}`);
}

/** The parameters an entry's fields read, each with the kind of number the field needs. */
function usedParams(entry: CycleInput): Array<readonly [CycleParam, RangeKind, string]> {
  const used: Array<readonly [CycleParam, RangeKind, string]> = [];
  if (entry.cyclical) used.push([entry.cyclical.count, entry.cyclical.unit === "D" ? "days" : "months", "cyclical.count"]);
  const s = entry.startOn;
  if (s?.kind === "daysLater") used.push([s.days, "days", "startOn.days"]);
  if (s?.kind === "nextDayOfMonth" || s?.kind === "dayOfNextMonth") used.push([s.day, "dayOfMonth", "startOn.day"]);
  return used;
}

function fieldOf(entry: CycleInput): CompiledCycleCode["field"] | undefined {
  if (entry.cyclical && entry.period === undefined) return { kind: "cyclical", unit: entry.cyclical.unit, count: entry.cyclical.count };
  if (entry.period !== undefined && !entry.cyclical) return { kind: "period", period: entry.period };
  return undefined;
}

function compileCycle(sink: ProblemSink, file: RecurringFile, code: string, entry: CycleInput): CompiledCycleCode | undefined {
  const at = `cycles.${code}`;
  const field = fieldOf(entry);
  if (field === undefined) {
    sink.add(at, "needs exactly one of `period` or `cyclical`");
    return undefined;
  }
  // A named period is anchored at the first charge; acdc1/acmc1 mean nothing for it (ignored).
  if (entry.period !== undefined && (entry.startOn !== undefined || entry.params !== undefined))
    sink.add(at, "a `period` entry takes no `startOn` or `params`");
  const declared = entry.params ?? {};
  const params = new Map<CycleParam, RecurringRange>();
  for (const [param, kind, path] of usedParams(entry)) {
    const have = declared[param];
    if (have === undefined) sink.add(`${at}.${path}`, `"${param}" must be listed in params`);
    else if (have !== kind) sink.add(`${at}.params.${param}`, `${path} needs a "${kind}" number, not "${have}"`);
    else params.set(param, { min: file.ranges[kind].min, max: file.ranges[kind].max });
  }
  for (const param of Object.keys(declared) as CycleParam[])
    if (!usedParams(entry).some(([p]) => p === param)) sink.add(`${at}.params.${param}`, `"${param}" is required but no field uses it`);
  const s = entry.startOn;
  return {
    code,
    field,
    startOn: s === undefined ? { kind: "none" } : s.kind === "daysLater" ? { kind: s.kind, from: s.days } : { kind: s.kind, from: s.day },
    params,
  };
}

export function compileRecurring(sink: ProblemSink, file: RecurringFile): CompiledRecurring {
  for (const kind of Object.keys(RANGE_BOUNDS) as RangeKind[]) checkRange(sink, `ranges.${kind}`, file.ranges[kind], RANGE_BOUNDS[kind]);
  checkRange(sink, "limits.acrm1", file.limits.acrm1, { min: 0, max: Number.MAX_SAFE_INTEGER });
  checkRange(sink, "limits.acrt1", file.limits.acrt1, { min: 0, max: Number.MAX_SAFE_INTEGER });
  // retry_interval must be at least P1D (univapay-api §2.5).
  checkRange(sink, "limits.acrd1", file.limits.acrd1, { min: 1, max: Number.MAX_SAFE_INTEGER });
  const d = file.defaults;
  if (d.legacyRetryIntervalDays < file.limits.acrd1.min || d.legacyRetryIntervalDays > file.limits.acrd1.max)
    sink.add("defaults.legacyRetryIntervalDays", "must be within limits.acrd1");
  if (d.legacyRetryCount < file.limits.acrt1.min || d.legacyRetryCount > file.limits.acrt1.max)
    sink.add("defaults.legacyRetryCount", "must be within limits.acrt1");
  const cycles = new Map<string, CompiledCycleCode>();
  for (const [code, entry] of Object.entries(file.cycles)) {
    const c = compileCycle(sink, file, code, entry);
    if (c) cycles.set(code, c);
  }
  if (Object.keys(file.cycles).length === 0) sink.add("cycles", "must declare at least one cycle code");
  const { note: _note, ...errors } = file.errors;
  const { note: _dnote, ...defaults } = d;
  const range = ({ min, max }: RecurringRange): RecurringRange => ({ min, max });
  const limits = { acrm1: range(file.limits.acrm1), acrt1: range(file.limits.acrt1), acrd1: range(file.limits.acrd1) };
  return { cycles, limits, errors, defaults };
}
