/**
 * Renders a kickback query string and enqueues it in the caller's transaction. The kickback echoes
 * the merchant fields of the request that created the payment (LEG finds its order by `no`), with
 * the fields of a later SALES/CANCEL request overriding same-named ones.
 */
import { kickbackUrlFor, type Merchant } from "../config/merchants";
import { decodeEcho, formatLegacyForm } from "../legacy/legacy-form";
import { legacyResultFields, type MappingTable } from "../mapping";
import type { NewKickback, PaymentRow, StoreOps } from "../store/store-types";
import type { LegacyResult } from "../domain/legacy-result";

export type EchoPair = ReturnType<typeof decodeEcho>[number];

/** Same-named fields from `override` replace those of `base` (first occurrence); new ones are appended. */
export function mergeEcho(base: readonly EchoPair[], override: readonly EchoPair[]): EchoPair[] {
  const key = (p: EchoPair) => p[0].toString("latin1");
  const overrides = new Map(override.map((p) => [key(p), p]));
  const merged = base.map((p) => overrides.get(key(p)) ?? p);
  const present = new Set(base.map(key));
  for (const p of override) if (!present.has(key(p))) merged.push(p);
  return merged;
}

export function renderKickbackQuery(
  table: MappingTable,
  payment: PaymentRow,
  result: LegacyResult,
  operationEcho?: string,
): string {
  const fields = legacyResultFields(table, "kickback", result);
  const echo = mergeEcho(decodeEcho(payment.echo), operationEcho ? decodeEcho(operationEcho) : []);
  return formatLegacyForm([...fields, ...echo], payment.charset);
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

/**
 * Enqueues the kickback for one transition inside `tx`. Returns true when a row was inserted
 * (false: no kickback URL configured, or this (pid, transition) was already enqueued — by the
 * synchronous path or by a webhook, whichever came first).
 */
export async function enqueueKickback(
  tx: StoreOps,
  table: MappingTable,
  merchant: Merchant,
  payment: PaymentRow,
  transition: string,
  result: LegacyResult,
  now: Date,
  operationEcho?: string,
): Promise<boolean> {
  const k = kickbackFor(table, merchant, payment, transition, result, operationEcho);
  return k ? tx.enqueueKickback(k, now) : false;
}
