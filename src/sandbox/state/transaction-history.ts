/**
 * The transaction history of §2.6 (`:14925-15082`): one ledger entry per charge and per refund,
 * in creation order, and its query filters (all ANDed): `from` 以降 / `to` 以前 (both inclusive),
 * `type`, `status`, `mode`, and `search` over the charge/refund id, metadata values, cardholder,
 * email and last four. Entry status is the resource's own status; `errored` (the doc table's
 * spelling, C6) is accepted as a filter value for `error`. Pure.
 */
import { z } from "zod";
import { IsoInstantSchema } from "../schemas/common-schemas";
import type { ChargeRecord, RefundRecord } from "./models";
import { normalizeName } from "./payer-of";

export interface LedgerEntry {
  /** The resource id: what `cursor` names. */
  readonly id: string;
  readonly seq: number;
  readonly type: "charge" | "refund";
  readonly charge: ChargeRecord;
  /** Set for refund entries. */
  readonly refund: RefundRecord | null;
}

const STATUSES = ["pending", "awaiting", "authorized", "successful", "failed", "error", "canceled"] as const;

export const TransactionHistoryFilterSchema = z.object({
  from: IsoInstantSchema.optional(),
  to: IsoInstantSchema.optional(),
  search: z.string().min(1).optional(),
  type: z.enum(["charge", "refund"], { error: "INVALID_FORMAT" }).optional(),
  status: z
    .enum([...STATUSES, "errored"], { error: "INVALID_FORMAT" })
    .transform((s) => (s === "errored" ? "error" : s))
    .optional(),
  mode: z.enum(["test", "live"], { error: "INVALID_FORMAT" }).optional(),
});
export type TransactionHistoryFilter = z.infer<typeof TransactionHistoryFilterSchema>;

/** Charges and refunds of one store, oldest first (as `paginate` expects). A refund whose charge is unknown is skipped. */
export function buildLedger(charges: readonly ChargeRecord[], refunds: readonly RefundRecord[]): LedgerEntry[] {
  const byId = new Map(charges.map((c) => [c.id, c]));
  const entries: LedgerEntry[] = charges.map((c) => ({ id: c.id, seq: c.seq, type: "charge", charge: c, refund: null }));
  for (const r of refunds) {
    const charge = byId.get(r.chargeId);
    if (charge) entries.push({ id: r.id, seq: r.seq, type: "refund", charge, refund: r });
  }
  return entries.sort((a, b) => a.seq - b.seq);
}

export function entryStatus(e: LedgerEntry): string {
  return e.refund?.status ?? e.charge.status;
}

export function entryCreatedAt(e: LedgerEntry): number {
  return e.refund?.createdAt ?? e.charge.createdAt;
}

export function filterLedger(entries: readonly LedgerEntry[], f: TransactionHistoryFilter): LedgerEntry[] {
  const from = f.from === undefined ? -Infinity : Date.parse(f.from);
  const to = f.to === undefined ? Infinity : Date.parse(f.to);
  return entries.filter((e) => {
    const at = entryCreatedAt(e);
    return (
      at >= from &&
      at <= to &&
      (f.type === undefined || e.type === f.type) &&
      (f.status === undefined || entryStatus(e) === f.status) &&
      (f.mode === undefined || e.charge.mode === f.mode) &&
      (f.search === undefined || matchesSearch(e, f.search))
    );
  });
}

/**
 * Ids and the last four match exactly; metadata values, the holder's name and email as
 * case-insensitive substrings [INFERRED: the doc lists the fields, not the match rule].
 */
function matchesSearch(e: LedgerEntry, search: string): boolean {
  const needle = search.trim().toLowerCase();
  const p = e.charge.payer;
  const metadata = e.refund?.metadata ?? e.charge.metadata;
  return (
    e.id.toLowerCase() === needle ||
    e.charge.id.toLowerCase() === needle ||
    (/^\d{4}$/.test(needle) && p.cardNumber.endsWith(needle)) ||
    normalizeName(p.cardholder).includes(normalizeName(needle)) ||
    p.email.toLowerCase().includes(needle) ||
    Object.values(metadata).some((v) => v !== null && String(v).toLowerCase().includes(needle))
  );
}
