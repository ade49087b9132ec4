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

/** A registered URL by its code; own keys only (a sucd of "constructor" names nothing). */
const urlOf = (urls: Readonly<Record<string, string>> | undefined, sucd: string | undefined) =>
  urls && sucd !== undefined && Object.hasOwn(urls, sucd) ? urls[sucd] : undefined;

/**
 * The shop's URL for a finished payment: paid → its sucd URL, not paid → its back URL.
 * Undefined: none registered — an unpaid shopper is then shown the gateway's own page rather
 * than the shop's complete page, which may say "thank you" whatever `rst` says (LEG's does).
 */
export function merchantResultUrl(
  table: MappingTable,
  merchant: Merchant,
  sucd: string | undefined,
  payment: PaymentRow,
  result: LegacyResult,
): string | undefined {
  const base = result.outcome === "success" ? urlOf(merchant.returnUrls, sucd) : urlOf(merchant.hostedPage?.backUrls, sucd);
  return base && withQuery(base, renderKickbackQuery(table, payment, result));
}

/** The shop's back URL for a shopper who left the form without paying: the merchant's own fields
 *  only (the payment is not finished, so there is no result to append). */
export function merchantBackUrl(merchant: Merchant, sucd: string | undefined, payment: PaymentRow): string | undefined {
  const base = urlOf(merchant.hostedPage?.backUrls, sucd);
  return base && withQuery(base, withEcho("", echoSegments(payment.echo)));
}
