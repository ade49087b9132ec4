/**
 * What the migrator says of one input row: its status and, when it was not migrated, a code and a
 * message for the result file. The codes are the migrator's own (README "Batch migration"); they
 * are stable, so a merchant can filter the result file by them.
 */

/**
 * migrated: the mapping was stored now. unchanged: the same mapping was there already (a rerun, a
 * duplicate row). checked: a --dry-run found nothing against it. failed: refused, for the reason
 * its code names; rerunning the same row gives the same answer. error: not settled yet, and a rerun
 * tries the row again: UnivaPay could not be asked (unreachable, still rate-limited after the
 * retries), or a create that may have been made waits for a person (unresolved).
 */
export type RowStatus = "migrated" | "unchanged" | "checked" | "failed" | "error";

/** Rows a rerun of the same file does not do again. */
export const FINISHED_STATUSES: readonly RowStatus[] = ["migrated", "unchanged", "failed"];

export const ROW_CODES = {
  bad_row: "the row cannot be read: a missing or malformed field, or broken CSV",
  not_found: "UnivaPay has no such resource in this merchant's store",
  wrong_type: "the resource is not of the type the mapping needs",
  inactive: "the resource is not usable any more",
  wrong_mode: "the resource is of the other mode (test / live) than the merchant",
  state_refused: "the resource is in a state the mapping does not take",
  conflict: "the legacy id is mapped to something else already; nothing was overwritten",
  in_use: "the UnivaPay resource is mapped to another legacy id already",
  rejected: "UnivaPay refused the check, or the create",
  too_close: "the next legacy billing date is too close to create the subscription safely (--min-lead-days)",
  unresolved:
    "a create that may have been made is not settled (sent more than a day ago and never answered, or its resend refused): ops resolve-autobilling records it or removes the record; a rerun tries the row again",
  unavailable: "UnivaPay could not be asked; the row is tried again on a rerun",
} as const;
export type RowCode = keyof typeof ROW_CODES;

export interface RowOutcome {
  readonly status: RowStatus;
  /** The UnivaPay id the legacy key now names (or would, in a dry run). */
  readonly newId: string | null;
  readonly code: RowCode | null;
  readonly message: string;
}

export function rowFailed(code: RowCode, message: string, newId: string | null = null): RowOutcome {
  return { status: code === "unavailable" || code === "unresolved" ? "error" : "failed", newId, code, message };
}

/**
 * Thrown inside a row's transaction by a kind that finds, half-way through its writes, that the
 * row must be refused: the transaction is undone and the runner records `outcome` instead.
 */
export class RowRefused extends Error {
  constructor(readonly outcome: RowOutcome) {
    super(outcome.message);
    this.name = "RowRefused";
  }
}
