/**
 * Finds what looks like a payment card number inside free text (a merchant field such as
 * `memo=` or `CardNo=`). Used to keep card numbers out of everything we store, echo or send on.
 * The text is NFKC-normalised (full-width digits count), split into digit groups separated by a
 * single space, hyphen, dot or slash, and every run of consecutive groups totalling 14–19 digits
 * is tested: in a card brand's number range and with a valid Luhn check digit. A single group
 * longer than 19 digits (a tracking number) is not searched inside, and 13-digit numbers are left
 * out (13-digit Visa cards are gone; JAN product codes are 13 digits starting with 45/49).
 * Pure; never logs, never returns the digits.
 */

/** Digit groups joined by single separators, as card numbers are written. */
const GROUPED_DIGITS = /\d+(?:[ \-./]\d+)*/g;

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

/** True when `text` contains a plausible card number anywhere. */
export function containsCardNumber(text: string): boolean {
  // Fast path: most values have far fewer than 14 digits (full-width ones are counted too).
  let count = 0;
  for (let i = 0; i < text.length && count < 14; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 48 && c <= 57) || (c >= 0xff10 && c <= 0xff19)) count++;
  }
  if (count < 14) return false;
  for (const m of text.normalize("NFKC").matchAll(GROUPED_DIGITS)) {
    const groups = m[0].split(/[ \-./]/);
    for (let i = 0; i < groups.length; i++) {
      let digits = "";
      for (let j = i; j < groups.length; j++) {
        digits += groups[j];
        if (digits.length > 19) break;
        if (digits.length >= 14 && hasBrandRange(digits) && luhnValid(digits)) return true;
      }
    }
  }
  return false;
}
