/**
 * The installment counts (支払い回数, legacy `sc`) UnivaPay's card-company installments accept:
 * `installment_plan.fixed_cycles` ∈ {3, 5, 6, 10, 12, 15, 18, 20, 24} (api doc §2.5, seed
 * :12723-12727). `sc=1` is 一括 (a one-time charge); any other count is refused
 * (installments_not_supported), never charged as one payment.
 */
export const INSTALLMENT_COUNTS = [3, 5, 6, 10, 12, 15, 18, 20, 24] as const;
