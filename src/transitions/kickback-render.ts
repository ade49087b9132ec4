/**
 * Renders the kickback of one transition (settleTransition enqueues it with the settlement). It
 * echoes the merchant fields of the request that created the payment (LEG finds its order by
 * `no`), with the fields of a later SALES/CANCEL request overriding same-named ones. Pure.
 */
import { kickbackUrlFor, type Merchant } from "../config/merchants";
import { mergeEchoes, withEcho } from "../legacy/legacy-echo";
import { formatLegacyForm } from "../legacy/legacy-form";
import { legacyResultFields, type MappingTable } from "../mapping";
import type { NewKickback, PaymentRow } from "../store/store-types";
import type { LegacyResult } from "../domain/legacy-result";

export function renderKickbackQuery(table: MappingTable, payment: PaymentRow, result: LegacyResult, operationEcho?: string): string {
  const fields = formatLegacyForm(legacyResultFields(table, "kickback", result), payment.charset);
  return withEcho(fields, mergeEchoes(payment.echo, operationEcho ?? ""));
}

/** Pure: the kickback row for one transition, or null when the merchant has no kickback URL. */
export function kickbackFor(
  table: MappingTable,
  merchant: Merchant,
  payment: PaymentRow,
  transition: string,
  result: LegacyResult,
  operationEcho?: string,
): NewKickback | null {
  const url = kickbackUrlFor(merchant, payment.svid);
  if (!url) return null;
  return { pid: payment.pid, sid: payment.sid, transition, url, query: renderKickbackQuery(table, payment, result, operationEcho) };
}
