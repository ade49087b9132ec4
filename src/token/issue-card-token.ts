/**
 * A checked token request → a UnivaPay transaction token: getToken a one-time token, getMember and
 * getMemberTag a recurring one (chargeable by memberpay.aspx now and later: used within five
 * minutes of its creation, as the checkout's own payment does, it stays chargeable). The answer's
 * `token` is the UnivaPay token id — memberpay.aspx takes a token id as `upcmemberid`, so no second
 * map is needed — and memberid, membercode and tagname go with the token as metadata. The card
 * number goes to UnivaPay only; the answer shows its last four digits.
 */
import type { Merchant } from "../config/merchants";
import { isAppError } from "../errors/app-error";
import { deriveIdempotencyKey } from "../univapay/idempotency-key";
import type { UnivapayClient } from "../univapay/univapay-client";
import type { CreateTokenBody } from "../univapay/univapay-types";
import type { TokenCard, TokenMember, TokenMethod } from "./token-fields";
import type { TokenResultCode } from "./token-result-codes";

export type IssuedToken = { ok: true; token: string; maskedCardNo: string } | { ok: false; code: TokenResultCode };

/** UnivaPay's refusal of a card field → the script's code for that field. */
const FIELD_CODES: Readonly<Record<string, TokenResultCode>> = {
  "data.card_number": "102",
  "data.exp_month": "113",
  "data.exp_year": "113",
  "data.cvv": "122",
  "data.cardholder": "133",
};

export function maskedCardNo(number: string): string {
  return `${"*".repeat(Math.max(0, number.length - 4))}${number.slice(-4)}`;
}

function bodyOf(merchant: Merchant, method: TokenMethod, card: TokenCard, member: TokenMember, fallbackEmail: string): CreateTokenBody {
  const metadata: Record<string, string> = {};
  if (member.memberId) metadata["legacy-memberid"] = member.memberId;
  if (member.memberCode) metadata["legacy-membercode"] = member.memberCode;
  if (member.tagName) metadata["legacy-tagname"] = member.tagName;
  return {
    payment_type: "card",
    type: method === "token" ? "one_time" : "recurring",
    email: member.email ?? fallbackEmail,
    ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
    data: {
      cardholder: `${card.firstName} ${card.lastName}`.toUpperCase(),
      card_number: card.number,
      exp_month: String(card.expMonth).padStart(2, "0"),
      exp_year: String(card.expYear),
      ...(card.cvv ? { cvv: card.cvv } : {}),
      ...(member.phone ? { phone_number: { country_code: "81", local_number: member.phone } } : {}),
    },
  } as CreateTokenBody;
}

export async function issueCardToken(
  client: UnivapayClient,
  merchant: Merchant,
  fallbackEmail: string,
  req: { method: TokenMethod; card: TokenCard; member: TokenMember; requestId: string },
): Promise<IssuedToken> {
  try {
    // Keyed by the envelope (requestId): a retry of our own POST, or the same envelope sent
    // again, is UnivaPay's replay of the same token; a second click of the shopper is a new one.
    const token = await client.createTransactionToken(
      merchant.credentials,
      bodyOf(merchant, req.method, req.card, req.member, fallbackEmail),
      deriveIdempotencyKey("token-script", merchant.credentials.storeId, req.requestId),
    );
    return { ok: true, token: token.id, maskedCardNo: maskedCardNo(req.card.number) };
  } catch (err) {
    if (!isAppError(err)) throw err;
    if (err.code !== "univapay_rejected") return { ok: false, code: "906" };
    const up = err.opts.upstream;
    // The merchant's credentials or setup, not the shopper's card.
    if (up?.httpStatus === 401 || up?.httpStatus === 403 || up?.httpStatus === 404) return { ok: false, code: "904" };
    const field = up?.fields?.find((f) => FIELD_CODES[f.field] !== undefined)?.field;
    return { ok: false, code: field ? (FIELD_CODES[field] as TokenResultCode) : "905" };
  }
}
