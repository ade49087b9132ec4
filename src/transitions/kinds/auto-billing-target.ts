/**
 * Shared by the auto-billing management kinds (job + acid on payment.aspx): the auto-billing an
 * `acid` names, and the legacy status code (acst) of a UnivaPay subscription status. The codes
 * are ours (the old ones are unknown, legacy-protocol §2.4): plain ASCII words, so parse_str and
 * split-on-& clients read them as they are.
 */
import type { Merchant } from "../../config/merchants";
import { legacyFailure, type LegacyFailure } from "../../mapping";
import { syncSubscription } from "../../recurring/sync-subscription";
import type { PaymentRow, SubscriptionRow } from "../../store/store-types";
import { classifyUpstreamError } from "../upstream-outcome";
import type { LegacyRequest } from "../legacy-request";
import type { KindContext } from "../transition-kind";

/** UnivaPay subscription status → acst. */
export const AUTO_BILLING_STATUS_CODES: Readonly<Record<string, string>> = {
  requested: "pending",
  unverified: "pending",
  authorized: "active",
  current: "active",
  unpaid: "retrying",
  suspended: "suspended",
  canceled: "stopped",
  completed: "completed",
  unconfirmed: "failed",
};

/**
 * UnivaPay's `unpaid` is both "a failed payment is being retried" and "resumed, the next payment
 * not made yet" (ACRESUME sets it): `retrying` only in the first case, else `active`.
 */
export function acstOf(status: string, retrying = true): string {
  if (status === "unpaid" && !retrying) return AUTO_BILLING_STATUS_CODES["current"] ?? "active";
  return AUTO_BILLING_STATUS_CODES[status] ?? "unknown";
}

/** YYYY-MM-DD → YYYYMMDD (the old gateway's date style in acdc-like fields); empty when none. */
export function acndOf(nextDueOn: string | null): string {
  return nextDueOn ? nextDueOn.replaceAll("-", "") : "";
}

export type AutoBillingTarget = { ok: true; row: SubscriptionRow; first: PaymentRow } | { ok: false; failures: LegacyFailure[] };

/**
 * The auto-billing as UnivaPay has it now (any automatic charge not yet notified is, on the way):
 * the stored status is only what UnivaPay last told us. UnivaPay unreachable or refusing is the
 * legacy failure to answer with; nothing was changed.
 */
export async function syncedAutoBilling(
  ctx: KindContext,
  merchant: Merchant,
  row: SubscriptionRow,
): Promise<{ ok: true; row: SubscriptionRow; retrying: boolean } | { ok: false; failures: LegacyFailure[] }> {
  if (!row.subscriptionId) return { ok: true, row, retrying: false };
  try {
    const synced = await syncSubscription(ctx, merchant, row);
    return { ok: true, row: synced.row, retrying: synced.retrying };
  } catch (err) {
    const o = classifyUpstreamError(ctx.table, err);
    if (o.kind === "rejected")
      return { ok: false, failures: [{ key: "upstream_rejected", ec: o.ec, message: `UnivaPay refused the auto-billing query (${o.code ?? "?"})` }] };
    return { ok: false, failures: [legacyFailure(ctx.table, "upstream_unavailable", "UnivaPay unreachable for the auto-billing")] };
  }
}

export async function autoBillingOf(ctx: KindContext, req: LegacyRequest): Promise<AutoBillingTarget> {
  const acid = req.form.get("acid");
  if (!acid) return { ok: false, failures: [legacyFailure(ctx.table, "acid_missing", "acid is missing", "acid")] };
  const row = await ctx.store.findSubscription(req.merchant.sid, acid);
  const first = row && (await ctx.store.findPaymentByPid(row.firstPid));
  if (!row || !first) return { ok: false, failures: [legacyFailure(ctx.table, "acid_unknown", `unknown acid ${acid}`, "acid")] };
  return { ok: true, row, first };
}
