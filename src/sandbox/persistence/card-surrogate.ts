/**
 * What the state file keeps of a card number. The sandbox's own documented test cards are written
 * in full (they are public and decide test behaviour); any other number is masked the way PCI DSS
 * allows a number to be shown: first six and last four digits, every other digit a `*`. The mask
 * keeps the length, the BIN (card_bin, brand), and the last four (last_four filters and the suffix
 * rules of test-card behaviour), and it can never be charged: it is not even digits. This module
 * never writes anything; it only decides what a number becomes on disk.
 */
import { DOCUMENTED_TEST_CARDS } from "../test-cards";

const MASKED = /^\d{6}\*{2,9}\d{4}$/;
const SHORT_MASKED = /^\*{8,}\d{4}$/;

/** The form of `cardNumber` that may be written to disk. Idempotent: a masked number stays as is. */
export function persistableCardNumber(cardNumber: string): string {
  if (DOCUMENTED_TEST_CARDS.has(cardNumber)) return cardNumber;
  const n = cardNumber.length;
  // Card numbers are 12–19 digits (the token schema); anything shorter keeps only its last four.
  if (n < 12) return `${"*".repeat(Math.max(8, n - 4))}${cardNumber.slice(-4)}`;
  return `${cardNumber.slice(0, 6)}${"*".repeat(n - 10)}${cardNumber.slice(-4)}`;
}

/** True for what persistableCardNumber can produce: a documented test card or a masked number. */
export function isPersistableCardNumber(value: string): boolean {
  return DOCUMENTED_TEST_CARDS.has(value) || MASKED.test(value) || SHORT_MASKED.test(value);
}
