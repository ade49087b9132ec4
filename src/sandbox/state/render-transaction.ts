/**
 * A transaction-history item (§2.6), shaped like the doc's example (`:15012-15075`): the entry's
 * amount and status, the owner names, and `user_data` with the payer. `charge_id` is null on a
 * charge entry and the refunded charge on a refund entry. The refund summaries in a charge's
 * `user_data.refunds` are [INFERRED]: the doc only shows an empty list.
 */
import { isoTime } from "../ids";
import type { RefundRecord } from "./models";
import { formatAmount, type OwnerNames } from "./render";
import { entryCreatedAt, entryStatus, type LedgerEntry } from "./transaction-history";

export function renderTransaction(e: LedgerEntry, names: OwnerNames, refundsOfCharge: readonly RefundRecord[]): Record<string, unknown> {
  const c = e.charge;
  const amount = e.refund ? e.refund.amount : (c.chargedAmount ?? c.requestedAmount);
  const currency = e.refund ? e.refund.currency : (c.chargedCurrency ?? c.requestedCurrency);
  // The simulated acquirer of test mode; live mode has none to name.
  const gateway = c.mode === "test" ? "test" : null;
  return {
    merchant_id: c.merchantId,
    merchant_name: names.merchantName,
    store_id: c.storeId,
    store_name: names.storeName,
    resource_id: e.id,
    charge_id: e.refund ? c.id : null,
    amount,
    currency,
    amount_formatted: formatAmount(amount, currency),
    type: e.type,
    status: entryStatus(e),
    payment_type: "card",
    mode: c.mode,
    metadata: e.refund?.metadata ?? c.metadata,
    created_on: isoTime(entryCreatedAt(e)),
    user_data: {
      type: e.type,
      cardholder_name: c.payer.cardholder,
      cardholder_email_address: c.payer.email,
      brand: c.payer.brand,
      gateway,
      service_provider: gateway,
      refunds: e.refund ? [] : refundsOfCharge.map(renderRefundSummary),
    },
    bank_transfer_payment_status: null,
    bank_transfer_latest_deposit_date: null,
  };
}

function renderRefundSummary(r: RefundRecord): Record<string, unknown> {
  return {
    id: r.id,
    amount: r.amount,
    currency: r.currency,
    amount_formatted: formatAmount(r.amount, r.currency),
    status: r.status,
    created_on: isoTime(r.createdAt),
  };
}
