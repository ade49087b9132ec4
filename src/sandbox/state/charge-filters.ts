/**
 * Charge-list query filters of §2.2 LIST (`:8384-8402`), on `/charges`, `/stores/{s}/charges` and a
 * subscription's charges. Card filters (`last_four`, `name`, `exp_month`, `exp_year`) must come
 * together, else 400 VALIDATION_ERROR naming each missing one. Bounds follow the doc's words:
 * `from` 以降 (inclusive), `to` より前 (exclusive), `amount_from` より大きい (>), `amount_to` 未満 (<).
 * Card, email and phone come from the payer snapshot taken at charge time. Pure.
 */
import { z } from "zod";
import { IsoInstantSchema } from "../schemas/common-schemas";
import { matchesMetadata, MetadataFilterSchema } from "./metadata-filter";
import type { ChargeRecord } from "./models";
import { fullYear, phoneMatches, sameName } from "./payer-of";

const CARD_FILTERS = ["last_four", "name", "exp_month", "exp_year"] as const;
const IntText = z.coerce.number({ error: "INVALID_FORMAT" }).int("INVALID_FORMAT");

export const ChargeFilterSchema = z
  .object({
    last_four: z
      .string()
      .regex(/^\d{4}$/, "INVALID_FORMAT")
      .optional(),
    name: z.string().min(1).optional(),
    exp_month: IntText.min(1, "INVALID_FORMAT").max(12, "INVALID_FORMAT").optional(),
    exp_year: IntText.min(0, "INVALID_FORMAT").transform(fullYear).optional(),
    from: IsoInstantSchema.optional(),
    to: IsoInstantSchema.optional(),
    email: z.string().min(1).optional(),
    phone: z.string().regex(/\d/, "INVALID_FORMAT").optional(),
    amount_from: IntText.optional(),
    amount_to: IntText.optional(),
    currency: z
      .string()
      .regex(/^[A-Za-z]{3}$/, "INVALID_FORMAT_CURRENCY")
      .transform((c) => c.toUpperCase())
      .optional(),
    mode: z.enum(["test", "live"], { error: "INVALID_FORMAT" }).optional(),
    metadata: MetadataFilterSchema.optional(),
    transaction_token_id: z.string().min(1).optional(),
    /** Subscription charges only (`:13198-13217`): the full card number. */
    card_number: z
      .string()
      .regex(/^\d{12,19}$/, "INVALID_CARD_NUMBER")
      .optional(),
  })
  .superRefine((f, ctx) => {
    if (!CARD_FILTERS.some((k) => f[k] !== undefined)) return;
    for (const k of CARD_FILTERS) {
      if (f[k] === undefined) ctx.addIssue({ code: "custom", path: [k], message: "REQUIRED_VALUE" });
    }
  });
export type ChargeFilter = z.infer<typeof ChargeFilterSchema>;

export function filterCharges(items: readonly ChargeRecord[], f: ChargeFilter): ChargeRecord[] {
  const from = f.from === undefined ? -Infinity : Date.parse(f.from);
  const to = f.to === undefined ? Infinity : Date.parse(f.to);
  return items.filter(
    (c) =>
      c.createdAt >= from &&
      c.createdAt < to &&
      (f.transaction_token_id === undefined || c.tokenId === f.transaction_token_id) &&
      (f.mode === undefined || c.mode === f.mode) &&
      (f.currency === undefined || c.requestedCurrency === f.currency || c.chargedCurrency === f.currency) &&
      (f.amount_from === undefined || c.requestedAmount > f.amount_from) &&
      (f.amount_to === undefined || c.requestedAmount < f.amount_to) &&
      matchesCard(c, f) &&
      (f.email === undefined || c.payer.email.toLowerCase() === f.email.toLowerCase()) &&
      (f.phone === undefined || matchesPhone(c, f.phone)) &&
      (f.card_number === undefined || c.payer.cardNumber === f.card_number) &&
      matchesMetadata(c.metadata, f.metadata),
  );
}

/** All four are present or none (the schema guarantees it). */
function matchesCard(c: ChargeRecord, f: ChargeFilter): boolean {
  if (f.last_four === undefined || f.name === undefined || f.exp_month === undefined || f.exp_year === undefined) return true;
  const p = c.payer;
  return p.cardNumber.endsWith(f.last_four) && sameName(p.cardholder, f.name) && p.expMonth === f.exp_month && p.expYear === f.exp_year;
}

/** The token's billing phone, or the `univapay-phone-number` the forms write into metadata (`:8451-8452`). */
function matchesPhone(c: ChargeRecord, query: string): boolean {
  const fromMetadata = c.metadata["univapay-phone-number"];
  const metaPhone = fromMetadata === undefined || fromMetadata === null ? null : String(fromMetadata).replace(/\D/g, "");
  return phoneMatches(query, [
    { local: c.payer.localPhoneDigits, full: c.payer.phoneDigits },
    { local: metaPhone, full: null },
  ]);
}
