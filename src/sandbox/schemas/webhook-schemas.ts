/**
 * Bodies of webhook create/update (§4.1; create per the SDK: triggers + url required).
 */
import { z } from "zod";
import { BoolishSchema } from "./common-schemas";

/** Store-level triggers of the SDK's WebHookTrigger enum. */
export const WEBHOOK_TRIGGERS = [
  "token_created",
  "charge_finished",
  "charge_updated",
  "subscription_created",
  "subscription_payment",
  "subscription_failure",
  "subscription_canceled",
  "subscription_completed",
  "subscription_suspended",
  "refund_finished",
  "cancel_finished",
  "recurring_token_deleted",
  "customs_declaration_finished",
  "token_replaced",
  "token_updated",
  "token_cvv_auth_updated",
  "token_cvv_auth_check_updated",
  "token_three_ds_updated",
] as const;
export type WebhookTrigger = (typeof WEBHOOK_TRIGGERS)[number];

const TriggersSchema = z.array(z.enum(WEBHOOK_TRIGGERS, { error: "INVALID_EVENT_FOR_STORE" })).min(1, "MUST_HAVE_AT_LEAST_ONE_ELEMENT");
const UrlSchema = z.url({ protocol: /^https?$/, error: "INVALID_FORMAT_URL" });

export const WebhookCreateSchema = z.object({
  triggers: TriggersSchema,
  url: UrlSchema,
  auth_token: z.string().max(255).nullable().optional(),
  active: BoolishSchema.optional(),
});

export const WebhookPatchSchema = z.object({
  triggers: TriggersSchema.optional(),
  url: UrlSchema.optional(),
  auth_token: z.string().max(255).nullable().optional(),
  active: BoolishSchema.optional(),
});
