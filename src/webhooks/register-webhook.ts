/**
 * Registers (or repairs) the gateway's webhook on a merchant's UnivaPay store, as the merchant
 * would in UnivaPay's admin UI: the events the gateway turns into kickbacks, sent to our URL with
 * the merchant's webhook token. Idempotent: an existing registration for the same URL is updated
 * (and re-enabled, since UnivaPay disables a webhook after failed deliveries), never duplicated.
 */
import type { Merchant } from "../config/merchants";
import { deriveIdempotencyKey } from "../univapay/idempotency-key";
import type { UnivapayClient } from "../univapay/univapay-client";
import type { Webhook } from "../univapay/univapay-types";
import { SUBSCRIPTION_EVENTS } from "../recurring/subscription-events";

/** The events a kickback can come from: charges, cancels, refunds, and auto-billings (自動課金). */
export const WEBHOOK_TRIGGERS = [
  "charge_updated",
  "charge_finished",
  "cancel_finished",
  "refund_finished",
  "token_cvv_auth_updated",
  ...SUBSCRIPTION_EVENTS,
] as const;

export async function registerWebhook(client: UnivapayClient, merchant: Merchant, url: string): Promise<{ webhook: Webhook; created: boolean }> {
  const c = merchant.credentials;
  const body = { url, triggers: [...WEBHOOK_TRIGGERS], auth_token: merchant.webhookToken.reveal(), active: true };
  const existing = (await client.listWebhooks(c)).find((w) => w.url === url);
  // The token is part of the key: registering again after a token rotation must not replay the old answer.
  const key = deriveIdempotencyKey("webhook", c.storeId, url, body.auth_token, existing?.id ?? "new");
  if (existing) return { webhook: await client.updateWebhook(c, existing.id, body, key), created: false };
  return { webhook: await client.createWebhook(c, body, key), created: true };
}
