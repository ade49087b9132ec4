/**
 * The legacy view of a transition (outcome, ec, pid, job, sod, ta, mode) from what is stored: the
 * reply to its request and its kickback say the same. Pure.
 */
import type { LegacyResult } from "../domain/legacy-result";
import { ecFor, SUCCESS_EC, type MappingTable } from "../mapping";
import type { Subject } from "./transition-kind";

export function transitionResult(table: MappingTable, { payment, transition }: Subject): LegacyResult {
  // reversing/reversed: answered failure while the outcome was unknown, and held to it.
  const failed = transition.state === "failed" || transition.state === "reversing" || transition.state === "reversed";
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
