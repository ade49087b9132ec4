/**
 * Shared by the auto-billing management kinds (job + acid on payment.aspx): the auto-billing an
 * `acid` names, and the legacy status code (acst) of a UnivaPay subscription status. The codes
 * are ours (the old ones are unknown, legacy-protocol §2.4): plain ASCII words, so parse_str and
 * split-on-& clients read them as they are.
 */
import { legacyFailure, type LegacyFailure } from "../../mapping";
import type { PaymentRow, SubscriptionRow } from "../../store/store-types";
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

export function acstOf(status: string): string {
  return AUTO_BILLING_STATUS_CODES[status] ?? "unknown";
}

/** YYYY-MM-DD → YYYYMMDD (the old gateway's date style in acdc-like fields); empty when none. */
export function acndOf(nextDueOn: string | null): string {
  return nextDueOn ? nextDueOn.replaceAll("-", "") : "";
}

export type AutoBillingTarget = { ok: true; row: SubscriptionRow; first: PaymentRow } | { ok: false; failures: LegacyFailure[] };

export async function autoBillingOf(ctx: KindContext, req: LegacyRequest): Promise<AutoBillingTarget> {
  const acid = req.form.get("acid");
  if (!acid) return { ok: false, failures: [legacyFailure(ctx.table, "acid_missing", "acid is missing", "acid")] };
  const row = await ctx.store.findSubscription(req.merchant.sid, acid);
  const first = row && (await ctx.store.findPaymentByPid(row.firstPid));
  if (!row || !first) return { ok: false, failures: [legacyFailure(ctx.table, "acid_unknown", `unknown acid ${acid}`, "acid")] };
  return { ok: true, row, first };
}
