/**
 * Charge-list query filters of §2.2 that the sandbox supports: transaction_token_id, mode,
 * currency, amount_from/amount_to (requested amount), from/to (creation instant, to exclusive).
 * Card-holder filters (last_four, name, exp_*) and email/phone/metadata search are not simulated.
 */
import { z } from "zod";
import type { ChargeRecord } from "./models";

export const ChargeFilterSchema = z.object({
  transaction_token_id: z.string().optional(),
  mode: z.enum(["test", "live"]).optional(),
  currency: z.string().optional(),
  amount_from: z.coerce.number().optional(),
  amount_to: z.coerce.number().optional(),
  from: z.iso.datetime({ offset: true, error: "INVALID_FORMAT_DATE" }).optional(),
  to: z.iso.datetime({ offset: true, error: "INVALID_FORMAT_DATE" }).optional(),
});
export type ChargeFilter = z.infer<typeof ChargeFilterSchema>;

export function filterCharges(items: readonly ChargeRecord[], f: ChargeFilter): ChargeRecord[] {
  const from = f.from === undefined ? -Infinity : Date.parse(f.from);
  const to = f.to === undefined ? Infinity : Date.parse(f.to);
  return items.filter(
    (c) =>
      (f.transaction_token_id === undefined || c.tokenId === f.transaction_token_id) &&
      (f.mode === undefined || c.mode === f.mode) &&
      (f.currency === undefined || c.requestedCurrency === f.currency.toUpperCase()) &&
      (f.amount_from === undefined || c.requestedAmount >= f.amount_from) &&
      (f.amount_to === undefined || c.requestedAmount <= f.amount_to) &&
      c.createdAt >= from &&
      c.createdAt < to,
  );
}
