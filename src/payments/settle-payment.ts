/**
 * Applies what UnivaPay says about a charge to our payment (pid) and enqueues the kickback, in
 * one transaction. Called by the synchronous request path and by the webhook processor alike:
 * both may see the same final status, and the (pid, transition) unique key turns the second
 * enqueue into a no-op, so the merchant gets exactly one kickback per transition.
 */
import type { Merchant } from "../config/merchants";
import { chargeOutcome, ecForPaymentError, SUCCESS_EC, type MappingTable } from "../mapping";
import { TRANSITIONS, type Transition } from "../mapping/univapay-statuses";

function isTransition(s: string): s is Transition {
  return (TRANSITIONS as readonly string[]).includes(s);
}
import type { Mode, PaymentRow, PaymentState } from "../store/store-types";
import type { Charge } from "../univapay/univapay-types";
import type { PaymentDeps } from "./payment-deps";
import { kickbackFor } from "./kickback-render";
import type { LegacyOutcome, LegacyResult } from "./legacy-result";

/** The transition keys of a payment's creation (AUTH or CAPTURE job). */
export function creationTransition(job: string, outcome: "success" | "failure"): string {
  return outcome === "success" ? job : `${job}:failed`;
}

const FINAL_CREATION_STATES: ReadonlySet<PaymentState> = new Set(["authorized", "captured", "failed", "canceled", "refunded"]);

/** The legacy view of a payment's creation, from what we have stored. */
export function resultFromPayment(payment: PaymentRow, ecPending: string): LegacyResult {
  const outcome: LegacyOutcome =
    payment.state === "failed" ? "failure" : FINAL_CREATION_STATES.has(payment.state) ? "success" : "pending";
  return {
    outcome,
    ec: outcome === "success" ? SUCCESS_EC : outcome === "failure" ? payment.errorCode ?? ecPending : ecPending,
    pid: payment.pid,
    job: payment.job,
    sod: payment.sod,
    total: payment.total,
    mode: payment.mode,
  };
}

export interface ChargeVerdict {
  readonly outcome: LegacyOutcome | "unknown";
  readonly state: PaymentState;
  readonly ec: string | null;
}

/** Pure: what a charge status means for a payment created with `job`. Unknown never becomes success. */
export function judgeCreation(table: MappingTable, job: string, charge: Pick<Charge, "status" | "error">): ChargeVerdict {
  // An unknown job can't be judged: "unknown" keeps the payment pending, never successful.
  const outcome = isTransition(job) ? chargeOutcome(table, job, charge.status) : "unknown";
  if (outcome === "success") return { outcome, state: job === "AUTH" ? "authorized" : "captured", ec: null };
  if (outcome === "failure") return { outcome, state: "failed", ec: ecForPaymentError(table, charge.error?.code) };
  return { outcome, state: "pending", ec: null };
}

const OPEN_STATES = ["requested", "pending"] as const;

/**
 * Settles the creation of `payment` from `charge`: one conditional UPDATE (only while the payment
 * is still open) and the kickback INSERT, atomically (store.settlePayment). Idempotent and race-safe: when the
 * webhook processor and the request path both get here, the second finds nothing open and
 * returns the stored outcome. A payment already final is never touched (later transitions such
 * as SALES are settled by settleOperation).
 */
export async function settlePaymentCreation(
  deps: PaymentDeps,
  merchant: Merchant,
  payment: PaymentRow,
  charge: Charge,
  ecPending: string,
): Promise<{ payment: PaymentRow; result: LegacyResult }> {
  const v = judgeCreation(deps.table, payment.job, charge);
  if (v.outcome === "unknown") {
    deps.logger.warn({ pid: payment.pid, chargeId: charge.id, status: charge.status }, "unknown charge status, treated as pending");
  }
  if (v.outcome !== "success" && v.outcome !== "failure") {
    const row = await recordPending(deps, payment.pid, charge);
    return { payment: row, result: resultFromPayment(row, ecPending) };
  }
  const patch = { state: v.state, univapayStatus: charge.status, chargeId: charge.id, errorCode: v.ec, mode: modeOf(deps, payment, charge) };
  // The kickback is rendered from the row as it will be once settled: the fields it shows (pid,
  // job, sod, total, mode, echo) never change after creation, and state and ec come from `patch`.
  const projected: PaymentRow = { ...payment, ...patch };
  const result = resultFromPayment(projected, ecPending);
  const transition = creationTransition(payment.job, result.outcome === "success" ? "success" : "failure");
  const kickback = kickbackFor(deps.table, merchant, projected, transition, result);
  const settled = kickback
    ? await deps.store.settlePayment(payment.pid, OPEN_STATES, patch, kickback, deps.now())
    : await deps.store.transitionPayment(payment.pid, OPEN_STATES, patch).then((row) => row && { row, enqueued: false });
  if (settled?.enqueued) deps.onKickbackEnqueued();
  // Not settled here: another path (webhook or request) settled it first; answer what is stored.
  const row = settled?.row ?? (await deps.store.findPaymentByPid(payment.pid));
  if (!row) throw new Error(`payment ${payment.pid} vanished`);
  return { payment: row, result: resultFromPayment(row, ecPending) };
}

/**
 * What the merchant is told (ap=TestMode or the pid) follows what UnivaPay says the charge is,
 * not our configuration. They agree by construction (the app token's mode is checked at start);
 * a disagreement means money moved in a mode nobody declared, which a person must look at.
 */
function modeOf(deps: PaymentDeps, payment: PaymentRow, charge: Charge): Mode {
  if (charge.mode === payment.mode) return payment.mode;
  if (charge.mode === "test" || charge.mode === "live") {
    deps.logger.error({ pid: payment.pid, chargeId: charge.id, declared: payment.mode, charge: charge.mode }, "charge mode differs from the merchant's declared mode; the charge's mode is reported");
    return charge.mode;
  }
  deps.logger.warn({ pid: payment.pid, chargeId: charge.id, charge: charge.mode }, "charge has an unknown mode; the declared mode is reported");
  return payment.mode;
}

/** Still pending: remember the charge (the webhook then finds the payment by charge id). */
export async function recordPending(deps: PaymentDeps, pid: string, charge: Pick<Charge, "id" | "status">): Promise<PaymentRow> {
  const row =
    (await deps.store.transitionPayment(pid, OPEN_STATES, { state: "pending", chargeId: charge.id, univapayStatus: charge.status })) ??
    (await deps.store.findPaymentByPid(pid));
  if (!row) throw new Error(`payment ${pid} vanished`);
  return row;
}
