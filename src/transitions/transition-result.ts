/**
 * The legacy view of a transition (outcome, ec, pid, job, sod, ta, mode) from what is stored: the
 * reply to its request and its kickback say the same. Pure.
 */
import type { LegacyResult } from "../domain/legacy-result";
import { ecFor, SUCCESS_EC, type MappingTable } from "../mapping";
import type { TransitionRow } from "../store/store-types";
import type { Subject } from "./transition-kind";

/** What the merchant is (or will be) told is a failure: failed, or reversing/reversed (answered
 *  failure while the outcome was unknown, and held to it). */
export function isFailedTransition(t: Pick<TransitionRow, "state">): boolean {
  return t.state === "failed" || t.state === "reversing" || t.state === "reversed";
}

export function transitionResult(table: MappingTable, { payment, transition }: Subject): LegacyResult {
  const failed = isFailedTransition(transition);
  const outcome = transition.state === "succeeded" ? "success" : failed ? "failure" : "pending";
  const ecPending = ecFor(table, "result_pending");
  return {
    outcome,
    ec: outcome === "success" ? SUCCESS_EC : outcome === "failure" ? (transition.errorCode ?? ecPending) : ecPending,
    pid: payment.pid,
    job: transition.job,
    sod: payment.sod,
    total: payment.total,
    mode: payment.mode,
    ...(payment.recurring ? { recurring: { acid: payment.recurring.acid, actp: payment.recurring.actp, acdc: payment.recurring.acdc } } : {}),
  };
}
