/**
 * The demo merchant (sid=100001, test mode) for `npm start` with the embedded sandbox: its
 * UnivaPay credentials come from the sandbox, its webhook is registered through the API like a
 * merchant would in the admin UI, and its two member tokens are real recurring tokens.
 */
import { randomBytes } from "node:crypto";
import axios from "axios";
import type { Merchant } from "../config/merchants";
import { Secret, type Logger } from "../logging/logger";
import type { Store } from "../store/store-types";
import { deriveIdempotencyKey } from "../univapay/idempotency-key";
import type { UnivapayClient } from "../univapay/univapay-client";

export const DEMO_SID = "100001";

/** upcmemberid → test card. 4000020000000000 always succeeds; a card ending 1111 always fails. */
export const DEMO_MEMBERS = {
  "demo-ok": { card: "4000020000000000", holder: "TARO YAMADA" },
  "demo-decline": { card: "4111111111111111", holder: "HANAKO SATO" },
} as const;

export interface SandboxCreds {
  readonly storeId: string;
  readonly appToken: string;
  readonly secret: string;
}

export function demoMerchant(creds: SandboxCreds, kickbackUrl: string): Merchant {
  return {
    sid: DEMO_SID,
    name: "Demo shop (sandbox)",
    mode: "test",
    credentials: { storeId: creds.storeId, appToken: new Secret(creds.appToken), secret: new Secret(creds.secret) },
    webhookToken: new Secret(randomBytes(24).toString("base64url")),
    kickbackUrl,
    kickbackUrls: {},
    charset: "auto",
    returnUrls: {},
    allowedSources: undefined,
    gatewayCardPayments: true,
  };
}

/** Registers the gateway's webhook on the store, as the merchant would in UnivaPay's admin UI. */
export async function registerWebhook(baseUrl: string, merchant: Merchant, webhookUrl: string): Promise<void> {
  const c = merchant.credentials;
  await axios.post(
    `${baseUrl}/stores/${c.storeId}/webhooks`,
    {
      url: webhookUrl,
      auth_token: merchant.webhookToken.reveal(),
      triggers: ["charge_updated", "charge_finished", "cancel_finished", "refund_finished"],
    },
    {
      headers: {
        Authorization: `Bearer ${c.secret.reveal()}.${c.appToken.reveal()}`,
        "Content-Type": "application/json",
        "Idempotency-Key": deriveIdempotencyKey("demo-webhook", merchant.sid, webhookUrl),
      },
      timeout: 5000,
    },
  );
}

/** Creates the demo members' recurring tokens (once per database) and maps them. */
export async function seedDemoMembers(client: UnivapayClient, store: Store, merchant: Merchant, log: Logger): Promise<void> {
  for (const [member, spec] of Object.entries(DEMO_MEMBERS)) {
    const token = await client.createTransactionToken(
      merchant.credentials,
      {
        payment_type: "card",
        type: "recurring",
        email: `${member}@example.com`,
        data: {
          cardholder: spec.holder,
          card_number: spec.card,
          exp_month: "12",
          exp_year: String(new Date().getUTCFullYear() + 3),
          cvv: "123",
        },
      },
      deriveIdempotencyKey("demo-member", merchant.credentials.storeId, member),
    );
    await store.putMemberToken(merchant.sid, member, token.id);
    // A recurring token id is a payment credential (with the secret): never logged in full.
    log.info({ sid: merchant.sid, upcmemberid: member, tokenIdTail: token.id.slice(-4) }, "demo member token ready");
  }
}
