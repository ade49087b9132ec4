/**
 * Finds what looks like a payment card number inside free text (a merchant field such as
 * `memo=` or `CardNo=`). Used to keep card numbers out of everything we store, echo or send on.
 * A match is a digit run of 14–19 digits, or such a run written in groups separated by single
 * spaces or hyphens, that is in a card brand's number range and has a valid Luhn check digit.
 * Longer digit runs (tracking numbers) are not searched inside, and 13-digit numbers are left
 * out (13-digit Visa cards are gone; JAN product codes are 13 digits starting with 45/49).
 * Pure; never logs, never returns the digits.
 */

const DIGIT_RUN = /\d(?:[ -]?\d){12,}/g;

/** IIN ranges of the brands UnivaPay accepts, with their number lengths. */
function hasBrandRange(d: string): boolean {
  const n = d.length;
  const p2 = Number(d.slice(0, 2));
  const p3 = Number(d.slice(0, 3));
  const p4 = Number(d.slice(0, 4));
  if (d[0] === "4") return n === 16 || n === 19; // Visa
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return n === 16; // Mastercard
  if (p2 === 34 || p2 === 37) return n === 15; // American Express
  if (p4 >= 3528 && p4 <= 3589) return n >= 16 && n <= 19; // JCB
  if ((p3 >= 300 && p3 <= 305) || p2 === 36 || p2 === 38 || p2 === 39) return n >= 14 && n <= 19; // Diners
  if (p4 === 6011 || (p3 >= 644 && p3 <= 649) || p2 === 65 || p2 === 62) return n >= 16 && n <= 19; // Discover, UnionPay
  return false;
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let v = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      v *= 2;
      if (v > 9) v -= 9;
    }
    sum += v;
  }
  return sum % 10 === 0;
}

/** True when `text` contains a plausible card number anywhere (also inside longer digit runs). */
export function containsCardNumber(text: string): boolean {
  // Fast path: most values have far fewer than 14 digits.
  let count = 0;
  for (let i = 0; i < text.length && count < 14; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) count++;
  }
  if (count < 14) return false;
  for (const m of text.matchAll(DIGIT_RUN)) {
    // The grouped form ("4111 1111 1111 1111") and each group on its own ("12-4111111111111111").
    const groups = m[0].split(/[ -]/);
    for (const d of [groups.join(""), ...(groups.length > 1 ? groups : [])]) {
      if (d.length >= 14 && d.length <= 19 && hasBrandRange(d) && luhnValid(d)) return true;
    }
  }
  return false;
}
