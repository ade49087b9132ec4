/**
 * Compiles mappings/services.yaml and mappings/operations.yaml into lookup structures for
 * resolveOperation. Rejects duplicate or ambiguous rows, jobs outside knownJobs and `requires`
 * entries without an error key. Pure.
 */
import type { ProblemSink } from "./mapping-problem";
import type { Endpoint, OperationsFile, ServicesFile } from "./mapping-schema";
import type { CompiledOperation, CompiledOperations, CompiledServices } from "./mapping-table";

export function compileServices(_sink: ProblemSink, file: ServicesFile): CompiledServices {
  const paymentTypes = new Map(Object.entries(file.services).map(([svid, s]) => [svid, s.paymentType] as const));
  const missingSvid: Partial<Record<Endpoint, string>> = {};
  if (file.missingSvid.memberpay !== undefined) missingSvid.memberpay = file.missingSvid.memberpay;
  if (file.missingSvid.payment !== undefined) missingSvid.payment = file.missingSvid.payment;
  return { paymentTypes, missingSvid, unsupported: file.unsupported };
}

/** Cross-file: a default svid must name a declared service. */
export function checkServiceDefaults(sink: ProblemSink, services: CompiledServices): void {
  for (const [endpoint, svid] of Object.entries(services.missingSvid))
    if (!services.paymentTypes.has(svid)) sink.add(`missingSvid.${endpoint}`, `svid "${svid}" is not a declared service`);
}

type RowInput = OperationsFile["operations"][number];

function compileRow(sink: ProblemSink, file: OperationsFile, row: RowInput, i: number): CompiledOperation {
  const at = `operations.${i}`;
  if (!file.knownJobs.jobs.includes(row.job)) sink.add(`${at}.job`, `job "${row.job}" is not in knownJobs`);
  for (const p of row.requires ?? []) if (!(p in file.requiredParams.params)) sink.add(`${at}.requires`, `"${p}" has no error key in requiredParams`);
  return {
    id: row.id,
    endpoint: row.endpoint,
    job: row.job,
    ptype: row.ptype,
    action: row.action,
    // Whether a row needs the flag is its kind's to say (the kind registry checks rows at start).
    capture: row.capture,
    requires: row.requires ?? [],
    svidOfPayment: row.svidOfPayment ?? false,
    when: row.when ? { param: row.when.param, except: row.when.except ?? [] } : undefined,
    channel: row.channel ?? "server",
    threeDs: row.threeDs,
  };
}

export function compileOperations(sink: ProblemSink, file: OperationsFile): CompiledOperations {
  const rows = file.operations.map((row, i) => compileRow(sink, file, row, i));
  const ids = new Set<string>();
  const matchKeys = new Set<string>();
  rows.forEach((r, i) => {
    if (ids.has(r.id)) sink.add(`operations.${i}.id`, `duplicate id "${r.id}"`);
    ids.add(r.id);
    const key = `${r.endpoint} ${r.job} ${r.ptype ?? "*"}${r.when ? ` when ${r.when.param}${r.when.except.length > 0 ? ` not ${r.when.except.join("/")}` : ""}` : ""}`;
    if (matchKeys.has(key)) sink.add(`operations.${i}`, `another row already matches ${key}`);
    matchKeys.add(key);
  });
  const requiredParams = new Map(Object.entries(file.requiredParams.params));
  const browserPtypes = (endpoint: Endpoint) => new Set(rows.flatMap((r) => (r.endpoint === endpoint && r.channel === "browser" && r.ptype ? [r.ptype] : [])));
  rows.forEach((r, i) => {
    if (r.channel === "browser" && r.ptype === undefined)
      sink.add(`operations.${i}.ptype`, "a browser row names its ptype (it is how a browser request is told apart)");
    if (r.threeDs !== undefined && r.channel !== "browser") sink.add(`operations.${i}.threeDs`, "threeDs applies to browser rows only");
  });
  return {
    knownJobs: new Set(file.knownJobs.jobs),
    unsupportedPtypes: {
      payment: new Set(file.unsupportedPtypes.payment),
      memberpay: new Set(file.unsupportedPtypes.memberpay),
    },
    browserPtypes: { payment: browserPtypes("payment"), memberpay: browserPtypes("memberpay") },
    requiredParams,
    rows,
  };
}
