/**
 * Creates a member (upcmemberid) from a card, for test set-ups: a recurring UnivaPay token with a
 * CVV authorisation (a 1-yen auth, so the token stays chargeable after its CVV expires five
 * minutes later), mapped to the member id. The card number goes to UnivaPay only: it is never
 * stored, logged or returned. Production members arrive by migration (existing token ids).
 */
import type { Merchant } from "../config/merchants";
import { AppError } from "../errors/app-error";
import type { Store } from "../store/store-types";
import { deriveIdempotencyKey } from "../univapay/idempotency-key";
import type { UnivapayClient } from "../univapay/univapay-client";
import type { TransactionToken } from "../univapay/univapay-types";

export interface CardMember {
  readonly memberId: string;
  readonly cardNumber: string;
  readonly cardholder: string;
  readonly expMonth: number;
  readonly expYear: number;
  readonly cvv: string;
  readonly email: string;
}

/** How long to wait for the 1-yen authorisation to settle (UnivaPay answers within seconds). */
const CVV_AUTH_WAIT_MS = 15_000;
const CVV_AUTH_POLL_MS = 100;

function cvvAuthStatus(t: TransactionToken): string | undefined {
  const auth = (t.data as { cvv_authorize?: { status?: unknown } } | null | undefined)?.cvv_authorize;
  return typeof auth?.status === "string" ? auth.status : undefined;
}

/** Whether a mapped token can still be charged without a CVV: CVV-authorised, or already used
 *  (UnivaPay: a recurring token used while its CVV was fresh stays chargeable). */
export function isChargeableRecurringToken(t: TransactionToken): boolean {
  const used = typeof (t as { last_used_on?: unknown }).last_used_on === "string";
  return t.type === "recurring" && t.active !== false && (cvvAuthStatus(t) === "current" || used);
}

/**
 * `generation` goes into the idempotency key: replacing a member's token (e.g. the old one was
 * removed) must create a new token, not replay the old answer (UnivaPay replays a key for 24 h).
 */
export async function registerCardMember(
  client: UnivapayClient,
  store: Store,
  merchant: Merchant,
  member: CardMember,
  generation: string,
  opts: { cvvAuthorize: boolean } = { cvvAuthorize: true },
): Promise<TransactionToken> {
  const c = merchant.credentials;
  let token = await client.createTransactionToken(
    c,
    {
      payment_type: "card",
      type: "recurring",
      email: member.email,
      data: {
        cardholder: member.cardholder,
        card_number: member.cardNumber,
        exp_month: String(member.expMonth),
        exp_year: String(member.expYear),
        cvv: member.cvv,
        ...(opts.cvvAuthorize ? { cvv_authorize: { enabled: true } } : {}),
      },
    },
    deriveIdempotencyKey("member", c.storeId, member.memberId, generation),
  );
  const deadline = Date.now() + CVV_AUTH_WAIT_MS;
  while (cvvAuthStatus(token) === "pending" && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, CVV_AUTH_POLL_MS));
    token = await client.getTransactionToken(c, token.id);
  }
  if (opts.cvvAuthorize && !isChargeableRecurringToken(token)) {
    throw new AppError(
      "univapay_rejected",
      `UnivaPay did not authorise the card of member ${member.memberId} (CVV authorisation ${cvvAuthStatus(token) ?? "missing"})`,
    );
  }
  await store.putMemberToken(merchant.sid, member.memberId, token.id);
  return token;
}
