/**
 * Wire types of the UnivaPay REST API (docs: /work/shared/docs/univapay-api.md §2, §5).
 * Response schemas are loose on purpose: UnivaPay adds fields over time and the gateway must
 * keep (not strip, not reject) keys it does not know. Request schemas are strict so a caller's
 * typo fails here, not as a 400 VALIDATION_ERROR. Statuses stay plain strings: deciding what
 * a status means belongs to the status maps in src/mapping, never to this file.
 */
import { z } from "zod";

/* ---------- shared pieces ---------- */

/** Flat JSON (§1.7): UnivaPay returns numbers as numbers; nested values are not ours to police. */
const ResponseMetadataSchema = z.record(z.string(), z.unknown());

/** Request metadata is flat: UnivaPay rejects nested JSON (NESTED_JSON_NOT_ALLOWED). */
export const RequestMetadataSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
export type RequestMetadata = z.infer<typeof RequestMetadataSchema>;

/**
 * A payment error on a charge/refund/cancel (§5.3). The doc table says `detail`, the webhook
 * example and the SDK say `details` [CONFLICT]; both are accepted and `details` is filled from
 * whichever came, so callers read one field.
 */
export const PaymentErrorSchema = z
  .looseObject({
    code: z.number(),
    message: z.string().nullish(),
    details: z.string().nullish(),
    detail: z.string().nullish(),
  })
  .transform((e) => ({ ...e, message: e.message ?? null, details: e.details ?? e.detail ?? null }));
export type PaymentError = z.infer<typeof PaymentErrorSchema>;

/** `error` is absent on successful resources in some examples; absent and null mean the same. */
const NullablePaymentError = PaymentErrorSchema.nullish().transform((e) => e ?? null);

/* ---------- responses ---------- */

/** GET /stores/{id} (§60.2): only what proves the credentials reach this very store. */
export const StoreSchema = z.looseObject({ id: z.string().min(1), name: z.string().nullish() });
export type StoreInfo = z.infer<typeof StoreSchema>;

/** A webhook registration (§4, `:19405-19524`). auth_token is what UnivaPay sends back to us. */
export const WebhookSchema = z.looseObject({
  id: z.string().min(1),
  url: z.string(),
  triggers: z.array(z.string()),
  active: z.boolean().optional(),
});
export type Webhook = z.infer<typeof WebhookSchema>;
export const WebhookListSchema = z.looseObject({ items: z.array(WebhookSchema), has_more: z.boolean().optional() });

export const WebhookBodySchema = z
  .object({ url: z.string().url(), triggers: z.array(z.string()).min(1), auth_token: z.string().min(1), active: z.boolean().optional() })
  .strict();
export type WebhookBody = z.infer<typeof WebhookBodySchema>;

export const TransactionTokenSchema = z.looseObject({
  id: z.string().min(1),
  store_id: z.string().min(1),
  payment_type: z.string(),
  type: z.string(),
  mode: z.string(),
  active: z.boolean().optional(),
  email: z.string().nullish(),
  usage_limit: z.string().nullish(),
  confirmed: z.boolean().nullish(),
  metadata: ResponseMetadataSchema.nullish(),
  /** Only card_bin/last_four of the number ever come back; kept loose. */
  data: z.looseObject({}).nullish(),
  created_on: z.string(),
});
export type TransactionToken = z.infer<typeof TransactionTokenSchema>;

export const ChargeSchema = z.looseObject({
  id: z.string().min(1),
  store_id: z.string().min(1),
  transaction_token_id: z.string().nullish(),
  transaction_token_type: z.string().nullish(),
  subscription_id: z.string().nullish(),
  merchant_transaction_id: z.string().nullish(),
  requested_amount: z.number(),
  requested_currency: z.string(),
  /** null while pending; may differ from requested after FX. */
  charged_amount: z.number().nullable(),
  charged_currency: z.string().nullable(),
  /** Kept as a string: src/mapping decides what it means, unknown values never become success. */
  status: z.string().min(1),
  error: NullablePaymentError,
  metadata: ResponseMetadataSchema.nullish(),
  mode: z.string(),
  capture_at: z.string().nullish(),
  created_on: z.string(),
});
export type Charge = z.infer<typeof ChargeSchema>;

export const CancelSchema = z.looseObject({
  id: z.string().min(1),
  charge_id: z.string().min(1),
  store_id: z.string().min(1),
  status: z.string().min(1),
  error: NullablePaymentError,
  metadata: ResponseMetadataSchema.nullish(),
  mode: z.string(),
  created_on: z.string(),
});
export type Cancel = z.infer<typeof CancelSchema>;

export const RefundSchema = z.looseObject({
  id: z.string().min(1),
  charge_id: z.string().min(1),
  store_id: z.string().min(1),
  status: z.string().min(1),
  amount: z.number(),
  currency: z.string(),
  reason: z.string().nullish(),
  message: z.string().nullish(),
  error: NullablePaymentError,
  metadata: ResponseMetadataSchema.nullish(),
  mode: z.string(),
  created_on: z.string(),
});
export type Refund = z.infer<typeof RefundSchema>;

/** Capture answers 200 with no body in the doc, `{amount, currency}` in the SDK (§2.2). */
export const CaptureResponseSchema = z.looseObject({
  amount: z.number().optional(),
  currency: z.string().optional(),
});
export type CaptureResponse = z.infer<typeof CaptureResponseSchema>;

/** §5.1 error body. Some errors (429, some 404s) come with an empty body instead. */
export const ApiErrorBodySchema = z.looseObject({
  status: z.string(),
  code: z.string().min(1),
  errors: z.array(z.looseObject({ field: z.string(), reason: z.string() })).optional(),
});
export type ApiErrorBody = z.infer<typeof ApiErrorBodySchema>;

/* ---------- requests ---------- */

export const CardDataSchema = z.strictObject({
  cardholder: z.string().min(1),
  card_number: z.string().min(1),
  exp_month: z.union([z.string(), z.number()]),
  exp_year: z.union([z.string(), z.number()]),
  cvv: z.string().optional(),
  line1: z.string().optional(),
  line2: z.string().optional(),
  state: z.string().optional(),
  city: z.string().optional(),
  country: z.string().optional(),
  zip: z.string().optional(),
  phone_number: z.strictObject({ country_code: z.string(), local_number: z.string() }).optional(),
  /** Nested in `data`, as the doc example and the SDK do (the doc table says top-level). */
  cvv_authorize: z.strictObject({ enabled: z.boolean(), currency: z.string().optional() }).optional(),
});
export type CardData = z.infer<typeof CardDataSchema>;

export const CreateTokenBodySchema = z.strictObject({
  payment_type: z.literal("card"),
  type: z.enum(["one_time", "recurring", "subscription"]),
  email: z.string().optional(),
  usage_limit: z.enum(["daily", "weekly", "monthly", "annually"]).optional(),
  ip_address: z.string().optional(),
  metadata: RequestMetadataSchema.optional(),
  data: CardDataSchema,
});
export type CreateTokenBody = z.infer<typeof CreateTokenBodySchema>;

export const CreateChargeBodySchema = z.strictObject({
  transaction_token_id: z.string().min(1),
  /** Integer in the currency's smallest unit (JPY has none). */
  amount: z.number().int().positive(),
  currency: z.string().length(3),
  /** Defaults to true upstream; false = authorization only. */
  capture: z.boolean().optional(),
  /** ISO-8601; with capture=false, the automatic capture time. */
  capture_at: z.string().optional(),
  metadata: RequestMetadataSchema.optional(),
});
export type CreateChargeBody = z.infer<typeof CreateChargeBodySchema>;

export const CaptureBodySchema = z.strictObject({
  amount: z.number().int().positive(),
  currency: z.string().length(3),
});
export type CaptureBody = z.infer<typeof CaptureBodySchema>;

export const CreateCancelBodySchema = z.strictObject({
  metadata: RequestMetadataSchema.optional(),
});
export type CreateCancelBody = z.infer<typeof CreateCancelBodySchema>;

export const CreateRefundBodySchema = z.strictObject({
  amount: z.number().int().positive(),
  currency: z.string().length(3),
  reason: z.enum(["fraud", "duplicate", "customer_request"]).optional(),
  message: z.string().optional(),
  metadata: RequestMetadataSchema.optional(),
});
export type CreateRefundBody = z.infer<typeof CreateRefundBodySchema>;

/* ---------- subscriptions (api doc §2.5) ---------- */

export const ScheduledPaymentSchema = z.looseObject({
  id: z.string().min(1),
  due_date: z.string(),
  zone_id: z.string().nullish(),
  amount: z.number(),
  currency: z.string(),
  is_paid: z.boolean(),
  is_last_payment: z.boolean().nullish(),
  retry_date: z.string().nullish(),
});
export type ScheduledPayment = z.infer<typeof ScheduledPaymentSchema>;

export const SubscriptionSchema = z.looseObject({
  id: z.string().min(1),
  store_id: z.string().min(1),
  transaction_token_id: z.string().nullish(),
  amount: z.number(),
  currency: z.string(),
  initial_amount: z.number().nullish(),
  /** Kept as a string: the gateway decides what it means; an unknown one is never success. */
  status: z.string().min(1),
  period: z.string().nullish(),
  cyclical_period: z.string().nullish(),
  next_payment: ScheduledPaymentSchema.nullish(),
  metadata: ResponseMetadataSchema.nullish(),
  mode: z.string(),
  created_on: z.string(),
});
export type Subscription = z.infer<typeof SubscriptionSchema>;

export const CreateSubscriptionBodySchema = z.strictObject({
  transaction_token_id: z.string().min(1),
  amount: z.number().int().positive(),
  currency: z.string().length(3),
  initial_amount: z.number().int().nonnegative().optional(),
  period: z.enum(["daily", "weekly", "biweekly", "monthly", "bimonthly", "quarterly", "semiannually", "annually"]).optional(),
  cyclical_period: z
    .string()
    .regex(/^P[1-9]\d*[DWMY]$/)
    .optional(),
  schedule_settings: z
    .strictObject({
      zone_id: z.string().min(1),
      start_on: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/)
        .optional(),
      preserve_end_of_month: z.boolean().optional(),
      retry_interval: z
        .string()
        .regex(/^P[1-9]\d*[DWM]$/)
        .optional(),
      termination_mode: z.enum(["immediate", "on_next_payment"]).optional(),
    })
    .optional(),
  subscription_plan: z.strictObject({ plan_type: z.literal("fixed_cycles"), fixed_cycles: z.number().int().min(2) }).optional(),
  installment_plan: z.strictObject({ plan_type: z.literal("fixed_cycles"), fixed_cycles: z.number().int().positive() }).optional(),
  first_charge_authorization_only: z.boolean().optional(),
  metadata: RequestMetadataSchema.optional(),
});
export type CreateSubscriptionBody = z.infer<typeof CreateSubscriptionBodySchema>;

export const UpdateSubscriptionBodySchema = z.strictObject({
  transaction_token_id: z.string().min(1).optional(),
  amount: z.number().int().positive().optional(),
  status: z.enum(["suspended", "unpaid"]).optional(),
  metadata: RequestMetadataSchema.optional(),
});
export type UpdateSubscriptionBody = z.infer<typeof UpdateSubscriptionBodySchema>;
