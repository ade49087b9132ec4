/**
 * Bodies of charge, capture, refund and cancel requests (§2.2–2.4).
 */
import { z } from "zod";
import { AmountSchema, BoolishSchema, CurrencySchema, IsoInstantSchema, MetadataSchema } from "./common-schemas";

export const ChargeCreateSchema = z.object({
  transaction_token_id: z.string().min(1),
  amount: AmountSchema,
  currency: CurrencySchema,
  capture: BoolishSchema.default(true),
  capture_at: IsoInstantSchema.optional(),
  metadata: MetadataSchema.optional(),
  descriptor: z.string().max(22).optional(),
  only_direct_currency: BoolishSchema.optional(),
});
export type ChargeCreate = z.infer<typeof ChargeCreateSchema>;

export const CaptureSchema = z.object({ amount: AmountSchema, currency: CurrencySchema });

export const RefundCreateSchema = z.object({
  amount: AmountSchema,
  currency: CurrencySchema,
  reason: z.enum(["fraud", "duplicate", "customer_request"]).optional(),
  message: z.string().max(255).optional(),
  metadata: MetadataSchema.optional(),
});
export type RefundCreate = z.infer<typeof RefundCreateSchema>;

export const CancelCreateSchema = z.object({ metadata: MetadataSchema.optional() });

export const PollingQuerySchema = z.object({ polling: z.enum(["true", "false"]).optional() });
