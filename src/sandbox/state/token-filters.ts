/**
 * Token-list query filters of §2.1 LIST (`:5320-5345`) plus the SDK's `payment_type`. Bounds
 * follow the doc's words: `from` 以降 and `to` 以前, both inclusive. `short_id` is the id's last six
 * characters ("下6桁"); `customer_id` is the `univapay-customer-id` metadata value (§1.2). Pure.
 */
import { z } from "zod";
import { IsoInstantSchema } from "../schemas/common-schemas";
import { matchesMetadata, MetadataFilterSchema } from "./metadata-filter";
import type { TokenRecord } from "./models";
import { digitsOnly, phoneMatches, sameName } from "./payer-of";

const CUSTOMER_ID_KEY = "univapay-customer-id";

export const TokenFilterSchema = z.object({
  from: IsoInstantSchema.optional(),
  to: IsoInstantSchema.optional(),
  id: z.string().min(1).optional(),
  short_id: z
    .string()
    .regex(/^[0-9A-Fa-f]{6}$/, "INVALID_FORMAT")
    .optional(),
  // The doc lists recurring|subscription; the SDK's TransactionTokenType also has one_time.
  type: z.enum(["one_time", "recurring", "subscription"], { error: "INVALID_FORMAT" }).optional(),
  email: z.string().min(1).optional(),
  cardholder: z.string().min(1).optional(),
  card_exp: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, "INVALID_FORMAT_DATE")
    .transform((s) => ({ year: Number(s.slice(0, 4)), month: Number(s.slice(5)) }))
    .optional(),
  card_last_four: z
    .string()
    .regex(/^\d{4}$/, "INVALID_FORMAT")
    .optional(),
  phone_number: z.string().regex(/\d/, "INVALID_FORMAT").optional(),
  brand: z.string().min(1).optional(),
  customer_id: z.string().min(1).optional(),
  mode: z.enum(["test", "live"], { error: "INVALID_FORMAT" }).optional(),
  metadata: MetadataFilterSchema.optional(),
  payment_type: z.string().min(1).optional(),
});
export type TokenFilter = z.infer<typeof TokenFilterSchema>;

export function filterTokens(items: readonly TokenRecord[], f: TokenFilter): TokenRecord[] {
  const from = f.from === undefined ? -Infinity : Date.parse(f.from);
  const to = f.to === undefined ? Infinity : Date.parse(f.to);
  return items.filter(
    (t) =>
      t.createdAt >= from &&
      t.createdAt <= to &&
      (f.id === undefined || t.id === f.id) &&
      (f.short_id === undefined || t.id.toLowerCase().endsWith(f.short_id.toLowerCase())) &&
      (f.type === undefined || t.type === f.type) &&
      (f.email === undefined || t.email.toLowerCase() === f.email.toLowerCase()) &&
      (f.cardholder === undefined || sameName(t.card.cardholder, f.cardholder)) &&
      (f.card_exp === undefined || (t.card.expYear === f.card_exp.year && t.card.expMonth === f.card_exp.month)) &&
      (f.card_last_four === undefined || t.card.number.endsWith(f.card_last_four)) &&
      (f.phone_number === undefined || matchesPhone(t, f.phone_number)) &&
      (f.brand === undefined || t.card.brand === f.brand.toLowerCase()) &&
      (f.customer_id === undefined || sameCustomer(t, f.customer_id)) &&
      (f.mode === undefined || t.mode === f.mode) &&
      // Sandbox tokens are all cards.
      (f.payment_type === undefined || f.payment_type === "card") &&
      matchesMetadata(t.metadata, f.metadata),
  );
}

function matchesPhone(t: TokenRecord, query: string): boolean {
  const p = t.billing.phoneNumber;
  if (p === null) return false;
  const local = digitsOnly(p.localNumber);
  return phoneMatches(query, [{ local, full: `${p.countryCode}${local}` }]);
}

/** UUIDs compare case-insensitively. */
function sameCustomer(t: TokenRecord, customerId: string): boolean {
  const v = t.metadata[CUSTOMER_ID_KEY];
  return typeof v === "string" && v.toLowerCase() === customerId.toLowerCase();
}
