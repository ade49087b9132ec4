/**
 * Bodies of POST /tokens and PATCH /stores/{s}/tokens/{id} (§2.1). Card fields accept strings or
 * numbers like the SDK; `cvv_authorize` is read inside `data` (doc example, overview and SDK agree).
 */
import { z } from "zod";
import { isLuhnValid } from "../test-cards";
import { BoolishSchema, CurrencySchema, MetadataSchema } from "./common-schemas";

const DigitsSchema = z.union([z.string(), z.number().int().nonnegative().transform(String)]);

const PhoneSchema = z.object({
  country_code: z.union([
    z.number().int(),
    z
      .string()
      .regex(/^\+?\d{1,4}$/)
      .transform((s) => Number(s.replace("+", ""))),
  ]),
  local_number: z.string().min(1),
});

const BillingFields = {
  line1: z.string().optional(),
  line2: z.string().optional(),
  state: z.string().optional(),
  city: z.string().optional(),
  country: z
    .string()
    .regex(/^[A-Za-z]{2}$/, "INVALID_FORMAT_COUNTRY")
    .optional(),
  zip: z.string().optional(),
  phone_number: PhoneSchema.optional(),
};

export const CardDataSchema = z.object({
  cardholder: z.string().min(1).max(100),
  card_number: DigitsSchema.pipe(z.string().refine(isLuhnValid, "INVALID_CARD_NUMBER")),
  exp_month: DigitsSchema.pipe(
    z
      .string()
      .regex(/^\d{1,2}$/, "INVALID_CARD_EXPIRATION")
      .transform(Number),
  ).pipe(z.number().min(1, "INVALID_CARD_EXPIRATION").max(12, "INVALID_CARD_EXPIRATION")),
  exp_year: DigitsSchema.pipe(
    z
      .string()
      .regex(/^(\d{2}|\d{4})$/, "INVALID_CARD_EXPIRATION")
      .transform((y) => (y.length === 2 ? 2000 + Number(y) : Number(y))),
  ),
  cvv: DigitsSchema.pipe(z.string().regex(/^\d{3,4}$/, "INVALID_CVV")).optional(),
  ...BillingFields,
  cvv_authorize: z.object({ enabled: BoolishSchema.default(false), currency: CurrencySchema.optional() }).optional(),
});

export const TokenCreateSchema = z.object({
  payment_type: z.literal("card", { error: "PAYMENT_TYPE_NOT_SUPPORTED" }),
  type: z.enum(["one_time", "recurring", "subscription"]),
  usage_limit: z.enum(["daily", "weekly", "monthly", "annually"]).nullable().optional(),
  email: z.email("INVALID_FORMAT_EMAIL"),
  ip_address: z.string().optional(),
  metadata: MetadataSchema.optional(),
  data: CardDataSchema,
});
export type TokenCreate = z.infer<typeof TokenCreateSchema>;

export const TokenPatchSchema = z.object({
  email: z.email("INVALID_FORMAT_EMAIL").optional(),
  cardholder: z.string().min(1).max(100).optional(),
  metadata: MetadataSchema.optional(),
  data: z
    .object({
      cvv: DigitsSchema.pipe(z.string().regex(/^\d{3,4}$/, "INVALID_CVV")).optional(),
      ...BillingFields,
      cvv_authorize: z.object({ enabled: BoolishSchema }).optional(),
    })
    .optional(),
});
export type TokenPatch = z.infer<typeof TokenPatchSchema>;
