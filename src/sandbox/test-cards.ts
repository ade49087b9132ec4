/**
 * Test-card behaviour of §6 as a pure table: which card numbers make a charge, refund or cancel fail
 * in test mode, which numbers are "test cards" refused in live mode, plus Luhn and brand detection.
 * Outcomes are decided only from the card and the mode, never at random.
 */
export type CardBrand = "visa" | "mastercard" | "jcb" | "american_express" | "diners_club" | "discover" | "unionpay" | "unknown";

/** The documented numbers (§6). In live mode these give 400 NO_TEST_CARD_IN_LIVE_MODE. */
export const DOCUMENTED_TEST_CARDS: ReadonlySet<string> = new Set(["4000020000000000", "4242424242424242", "4111111111111111", "4012888888881881"]);

export interface CardBehaviour {
  readonly chargeFails: boolean;
  readonly refundFails: boolean;
  readonly cancelFails: boolean;
}

const NORMAL: CardBehaviour = { chargeFails: false, refundFails: false, cancelFails: false };

/** Test mode follows the suffix rules of §6; live mode has no simulated failures. */
export function cardBehaviour(cardNumber: string, mode: "test" | "live"): CardBehaviour {
  if (mode === "live") return NORMAL;
  if (cardNumber.endsWith("1111")) return { ...NORMAL, chargeFails: true };
  if (cardNumber.endsWith("4242")) return { ...NORMAL, refundFails: true };
  if (cardNumber.endsWith("1881")) return { ...NORMAL, cancelFails: true };
  return NORMAL;
}

export function isLuhnValid(digits: string): boolean {
  if (!/^\d{12,19}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export function detectBrand(n: string): CardBrand {
  if (/^4/.test(n)) return "visa";
  if (/^(5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720))/.test(n)) return "mastercard";
  if (/^35(2[89]|[3-8]\d)/.test(n)) return "jcb";
  if (/^3[47]/.test(n)) return "american_express";
  if (/^3(0[0-5]|[68])/.test(n)) return "diners_club";
  if (/^(6011|65|64[4-9])/.test(n)) return "discover";
  if (/^62/.test(n)) return "unionpay";
  return "unknown";
}

/** Payment-error objects of §5.3 that the test cards produce. */
export const TEST_FAILURES = {
  charge: { code: 309, message: "Test charge failed purposely", details: "Test charge failed purposely" },
  refund: { code: 329, message: "Test refund failed purposely", details: "Test refund failed purposely" },
  cancel: { code: 312, message: "Test cancel failed purposely", details: "Test cancel failed purposely" },
} as const;
