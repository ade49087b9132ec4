/**
 * The date an auto-billing is next charged, from UnivaPay's next_payment: its retry date while a
 * failed payment is being retried, else its due date; none once it is paid (the subscription is
 * done, or UnivaPay has not scheduled the next one yet).
 */
import type { Subscription } from "../univapay/univapay-types";

export function nextDueOn(sub: Pick<Subscription, "next_payment">): string | null {
  const next = sub.next_payment;
  return next && !next.is_paid ? (next.retry_date ?? next.due_date) : null;
}
