/**
 * The payer snapshot a charge keeps (card, holder, email, phone at charge time) and the matching
 * rules the list filters share: names compare case- and spacing-insensitively, phones by digits.
 * Pure. [INFERRED: the doc names the filters but not how they match]
 */
import type { ChargePayer, TokenRecord } from "./models";

export function payerOf(token: TokenRecord): ChargePayer {
  const phone = token.billing.phoneNumber;
  const local = phone === null ? null : digitsOnly(phone.localNumber);
  return {
    cardNumber: token.card.number,
    cardholder: token.card.cardholder,
    expMonth: token.card.expMonth,
    expYear: token.card.expYear,
    brand: token.card.brand,
    email: token.email,
    phoneDigits: phone === null || local === null ? null : `${phone.countryCode}${local}`,
    localPhoneDigits: local,
  };
}

/** "TARO  Yamada" equals "taro yamada". */
export function sameName(a: string, b: string): boolean {
  return normalizeName(a) === normalizeName(b);
}

export function normalizeName(s: string): string {
  return s.trim().replace(/\s+/g, " ").toLowerCase();
}

export function digitsOnly(s: string): string {
  return s.replace(/\D/g, "");
}

/**
 * True when the query's digits equal a stored phone with or without its country code, and with
 * or without the trunk 0 ("09012345678", "9012345678", "819012345678" all match a JP 090… number).
 */
export function phoneMatches(query: string, phones: ReadonlyArray<{ local: string | null; full: string | null }>): boolean {
  const q = digitsOnly(query).replace(/^0+/, "");
  if (q === "") return false;
  return phones.some(({ local, full }) => {
    const l = local?.replace(/^0+/, "") ?? null;
    const countryCode = full !== null && local !== null ? full.slice(0, full.length - local.length) : null;
    return (l !== null && l === q) || (countryCode !== null && l !== null && `${countryCode}${l}` === q) || (full !== null && full === q);
  });
}

/** Two-digit card years mean 20xx, as on the card itself. */
export function fullYear(y: number): number {
  return y < 100 ? 2000 + y : y;
}
