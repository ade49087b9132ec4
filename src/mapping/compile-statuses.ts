/**
 * Compiles mappings/statuses.yaml into exhaustive status → outcome maps. Rejects a table that
 * misses a known status or transition, or names an unknown one. The literal objects below use
 * `satisfies`, so adding a status to univapay-statuses.ts fails to compile until handled here.
 */
import type { StatusesFile } from "./mapping-schema";
import type { CompiledStatuses } from "./mapping-table";
import type { ProblemSink } from "./mapping-problem";
import {
  CANCEL_STATUSES,
  CHARGE_STATUSES,
  CVV_AUTH_STATUSES,
  REFUND_STATUSES,
  TRANSITIONS,
  type CancelStatus,
  type ChargeStatus,
  type CvvAuthStatus,
  type Outcome,
  type RefundStatus,
  type Transition,
} from "./univapay-statuses";

type RawTable = Readonly<Record<string, Outcome>>;

/** Reports missing and unknown statuses; returns a getter that is total once no problem exists. */
function checkTable(sink: ProblemSink, path: string, raw: RawTable | undefined, known: readonly string[]) {
  const table = raw ?? {};
  for (const s of known) if (!(s in table)) sink.add(path, `missing status "${s}"`);
  for (const s of Object.keys(table)) if (!known.includes(s)) sink.add(`${path}.${s}`, `unknown status "${s}"`);
  // Placeholder for missing entries only matters when problems were reported: the table is
  // then discarded by the caller, so "pending" here is never observable.
  return (s: string): Outcome => table[s] ?? "pending";
}

function chargeRow(get: (s: ChargeStatus) => Outcome) {
  return {
    pending: get("pending"),
    awaiting: get("awaiting"),
    authorized: get("authorized"),
    successful: get("successful"),
    failed: get("failed"),
    error: get("error"),
    canceled: get("canceled"),
  } satisfies Record<ChargeStatus, Outcome>;
}

function resourceRow(get: (s: CancelStatus | RefundStatus) => Outcome) {
  return {
    pending: get("pending"),
    successful: get("successful"),
    failed: get("failed"),
    error: get("error"),
  } satisfies Record<CancelStatus & RefundStatus, Outcome>;
}

function cvvAuthRow(get: (s: CvvAuthStatus) => Outcome) {
  return {
    pending: get("pending"),
    current: get("current"),
    failed: get("failed"),
    inactive: get("inactive"),
  } satisfies Record<CvvAuthStatus, Outcome>;
}

export function compileStatuses(sink: ProblemSink, file: StatusesFile): CompiledStatuses {
  const { note: _cvvNote, ...cvvAuthorize } = file.cvvAuthorize;
  const { note: _note, ...charge } = file.charge;
  for (const t of Object.keys(charge)) if (!(TRANSITIONS as readonly string[]).includes(t)) sink.add(`charge.${t}`, `unknown transition "${t}"`);
  const row = (t: Transition) => {
    const raw = charge[t];
    if (raw === undefined) sink.add("charge", `missing transition "${t}"`);
    return chargeRow(checkTable(sink, `charge.${t}`, raw, raw === undefined ? [] : CHARGE_STATUSES));
  };
  return {
    charge: {
      AUTH: row("AUTH"),
      CAPTURE: row("CAPTURE"),
      SALES: row("SALES"),
      CANCEL: row("CANCEL"),
    } satisfies Record<Transition, Record<ChargeStatus, Outcome>>,
    cancel: resourceRow(checkTable(sink, "cancel", file.cancel, CANCEL_STATUSES)),
    refund: resourceRow(checkTable(sink, "refund", file.refund, REFUND_STATUSES)),
    cvvAuthorize: cvvAuthRow(checkTable(sink, "cvvAuthorize", cvvAuthorize as RawTable, CVV_AUTH_STATUSES)),
  };
}
