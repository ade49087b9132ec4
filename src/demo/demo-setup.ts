/**
 * The demo merchant (sid=100001, test mode) for `npm start` with nothing configured: its UnivaPay
 * credentials come from the embedded sandbox, and its two members are real recurring tokens with
 * a CVV authorisation, checked at every start and every day and replaced when gone (test-mode
 * recurring tokens are removed after a month), so the README's first curl works for as long as
 * the process runs and after restarts.
 */
import { randomBytes } from "node:crypto";
import type { Merchant } from "../config/merchants";
import { isAppError } from "../errors/app-error";
import { Secret, type Logger } from "../logging/logger";
import { isChargeableRecurringToken, registerCardMember } from "../members/register-card-member";
import type { Store } from "../store/store-types";
import { deriveIdempotencyKey } from "../univapay/idempotency-key";
import type { UnivapayClient } from "../univapay/univapay-client";

export const DEMO_SID = "100001";

/**
 * upcmemberid → test card. 4000020000000000 always succeeds; a card ending 1111 is always
 * declined, so it cannot pass the 1-yen CVV authorisation either: it is registered without one and
 * used at once (a declined 1-yen authorisation), which keeps the token chargeable — and declining.
 */
export const DEMO_MEMBERS = {
  "demo-ok": { card: "4000020000000000", holder: "TARO YAMADA", declines: false },
  "demo-decline": { card: "4111111111111111", holder: "HANAKO SATO", declines: true },
} as const;

/** How often a running demo checks that its member tokens are still chargeable. */
export const DEMO_MEMBER_CHECK_INTERVAL_MS = 24 * 60 * 60 * 1000;

export interface SandboxCreds {
  readonly storeId: string;
  readonly appToken: string;
  readonly secret: string;
  /** The store's link form (the sandbox serves it at /forms/<id>). */
  readonly linkFormId: string;
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
    // The link method on the sandbox's form. A link typed into the address bar has no Referer, so
    // the demo allows that; no sucd is registered, so the shopper ends on the gateway's own page.
    hostedPage: { formId: creds.linkFormId, appId: creds.appToken, sourceOrigins: [], backUrls: {}, allowMissingReferer: true },
  };
}

async function stillChargeable(client: UnivapayClient, merchant: Merchant, tokenId: string): Promise<boolean> {
  try {
    return isChargeableRecurringToken(await client.getTransactionToken(merchant.credentials, tokenId));
  } catch (err) {
    if (isAppError(err) && err.code === "univapay_rejected") return false; // removed (404)
    throw err;
  }
}

/** Makes sure every demo member maps to a chargeable token; replaces the ones that are not. */
export async function ensureDemoMembers(client: UnivapayClient, store: Store, merchant: Merchant, log: Logger): Promise<void> {
  for (const [member, spec] of Object.entries(DEMO_MEMBERS)) {
    const mapped = await store.getMemberToken(merchant.sid, member);
    if (mapped && (await stillChargeable(client, merchant, mapped.tokenId))) continue;
    const generation = new Date().toISOString();
    const token = await registerCardMember(
      client,
      store,
      merchant,
      {
        memberId: member,
        cardNumber: spec.card,
        cardholder: spec.holder,
        expMonth: 12,
        expYear: new Date().getUTCFullYear() + 3,
        cvv: "123",
        email: `${member}@example.com`,
      },
      generation,
      { cvvAuthorize: !spec.declines },
    );
    if (spec.declines) {
      await client.createCharge(
        merchant.credentials,
        { transaction_token_id: token.id, amount: 1, currency: "JPY", capture: false, metadata: { "demo-member-check": member } },
        deriveIdempotencyKey("demo-member-use", merchant.credentials.storeId, member, generation),
      );
    }
    // A recurring token id is a payment credential (with the secret): never logged in full.
    log.info({ sid: merchant.sid, upcmemberid: member, tokenIdTail: token.id.slice(-4), replaced: mapped !== undefined }, "demo member token ready");
  }
}
