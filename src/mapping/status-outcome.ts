/**
 * UnivaPay status → legacy outcome through the compiled, exhaustive status maps. A status string
 * the table does not know is "unknown" (callers log WARN and keep waiting); it never becomes
 * success. Pure.
 */
import type { MappingTable } from "./mapping-table";
import { CANCEL_STATUSES, CHARGE_STATUSES, CVV_AUTH_STATUSES, REFUND_STATUSES, isOneOf, type Outcome, type Transition } from "./univapay-statuses";

export function chargeOutcome(table: MappingTable, transition: Transition, status: string): Outcome | "unknown" {
  return isOneOf(CHARGE_STATUSES, status) ? table.statuses.charge[transition][status] : "unknown";
}

export function cancelOutcome(table: MappingTable, status: string): Outcome | "unknown" {
  return isOneOf(CANCEL_STATUSES, status) ? table.statuses.cancel[status] : "unknown";
}

export function refundOutcome(table: MappingTable, status: string): Outcome | "unknown" {
  return isOneOf(REFUND_STATUSES, status) ? table.statuses.refund[status] : "unknown";
}

/** A recurring token's CVV authorisation (job=CHECK): current is a card that was authorised. */
export function cvvAuthOutcome(table: MappingTable, status: string): Outcome | "unknown" {
  return isOneOf(CVV_AUTH_STATUSES, status) ? table.statuses.cvvAuthorize[status] : "unknown";
}
