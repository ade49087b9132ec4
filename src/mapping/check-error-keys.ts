/**
 * Checks every error key the mapping files name (rule failures, required parameters, service and
 * error defaults, auto-billing parameters) against GATEWAY_ERROR_KEYS. Done after the schema, not
 * in it, so one misspelt key does not hide the file's other problems behind a forty-name list. Pure.
 */
import { GATEWAY_ERROR_KEYS, isGatewayErrorKey } from "./legacy-failure";
import type { ProblemSink } from "./mapping-problem";
import type { ErrorsFile, FieldsFile, OperationsFile, ServicesFile } from "./mapping-schema";
import { RECURRING_PARAMS, type RecurringFile } from "./recurring-schema";

/** The known key closest to `key` (by edit distance), if any is close enough to be a typo. */
function closest(key: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(3, Math.floor(key.length / 3)) + 1;
  for (const k of GATEWAY_ERROR_KEYS) {
    const d = distance(key, k);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const here = row[j] as number;
      row[j] = Math.min(here + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = here;
    }
  }
  return row[b.length] as number;
}

function check(sink: ProblemSink, path: string, key: string): void {
  if (isGatewayErrorKey(key)) return;
  const hint = closest(key);
  sink.add(path, `unknown error key "${key}"${hint ? ` (did you mean "${hint}"?)` : ""}; the keys are those under \`keys\` in errors.yaml`);
}

export function checkServiceKeys(sink: ProblemSink, file: ServicesFile): void {
  check(sink, "unsupported", file.unsupported);
}

export function checkOperationKeys(sink: ProblemSink, file: OperationsFile): void {
  for (const [param, key] of Object.entries(file.requiredParams.params)) check(sink, `requiredParams.params.${param}`, key);
}

export function checkRuleKeys(sink: ProblemSink, file: FieldsFile): void {
  for (const [set, { rules }] of Object.entries(file.ruleSets)) {
    rules.forEach((rule, i) => {
      for (const [reason, key] of Object.entries(rule.failures ?? {})) check(sink, `ruleSets.${set}.rules.${i}.failures.${reason}`, key);
    });
  }
}

export function checkErrorDefaults(sink: ProblemSink, file: ErrorsFile): void {
  check(sink, "paymentErrors.default", file.paymentErrors.default);
  check(sink, "apiErrors.default", file.apiErrors.default);
}

export function checkRecurringKeys(sink: ProblemSink, file: RecurringFile): void {
  for (const param of RECURRING_PARAMS) check(sink, `errors.${param}`, file.errors[param]);
}
