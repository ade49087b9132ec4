/**
 * Where the shopper goes back to the shop, and with what: the URL registered for the request's
 * `sucd` (paid) or its back URL (not paid), with the same fields as the payment's kickback —
 * result fields and the merchant's own fields, in the merchant's charset (LEG's complete page
 * reads `no`). What the page shows is the shop's business; the result it may trust is the
 * kickback's. Pure.
 */
import { echoSegments, withEcho } from "../legacy/legacy-echo";
import type { Merchant } from "../config/merchants";
import type { LegacyResult } from "../domain/legacy-result";
import type { MappingTable } from "../mapping";
import type { PaymentRow } from "../store/store-types";
import { renderKickbackQuery } from "../transitions/kickback-render";

/** Appends a urlencoded query to a URL that may already have one. */
export function withQuery(base: string, query: string): string {
  if (query === "") return base;
  const [head, hash] = base.split("#", 2) as [string, string | undefined];
  const sep = head.includes("?") ? (head.endsWith("?") || head.endsWith("&") ? "" : "&") : "?";
  return `${head}${sep}${query}${hash !== undefined ? `#${hash}` : ""}`;
}

/** The shop's URL for a finished payment (undefined: the merchant registered none for its sucd). */
export function merchantResultUrl(
  table: MappingTable,
  merchant: Merchant,
  sucd: string | undefined,
  payment: PaymentRow,
  result: LegacyResult,
): string | undefined {
  if (!sucd) return undefined;
  const paid = result.outcome === "success";
  const base = paid ? merchant.returnUrls[sucd] : (merchant.hostedPage?.backUrls[sucd] ?? merchant.returnUrls[sucd]);
  return base && withQuery(base, renderKickbackQuery(table, payment, result));
}

/** The shop's back URL for a shopper who left the form without paying: the merchant's own fields
 *  only (the payment is not finished, so there is no result to append). */
export function merchantBackUrl(merchant: Merchant, sucd: string | undefined, payment: PaymentRow): string | undefined {
  const base = sucd ? (merchant.hostedPage?.backUrls[sucd] ?? undefined) : undefined;
  return base && withQuery(base, withEcho("", echoSegments(payment.echo)));
}
