/**
 * What the state file keeps of a card number: documented test cards in full, any other number
 * masked so that no real number reaches the disk while length, BIN, last four, brand and
 * test-card behaviour survive a restart.
 */
import fc from "fast-check";
import { isPersistableCardNumber, persistableCardNumber } from "../../../src/sandbox/persistence/card-surrogate";
import { cardBehaviour, detectBrand, DOCUMENTED_TEST_CARDS, isLuhnValid } from "../../../src/sandbox/test-cards";

/** A Luhn-valid number of 12–19 digits: the shape the token schema accepts. */
const cardNumber = fc
  .tuple(fc.integer({ min: 11, max: 18 }), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 18, maxLength: 18 }))
  .map(([len, digits]) => withCheckDigit(digits.slice(0, len).join("")));

function withCheckDigit(body: string): string {
  for (let d = 0; d <= 9; d++) if (isLuhnValid(`${body}${d}`)) return `${body}${d}`;
  throw new Error("unreachable");
}

describe("persistableCardNumber", () => {
  it("keeps the documented test cards in full", () => {
    for (const n of DOCUMENTED_TEST_CARDS) expect(persistableCardNumber(n)).toBe(n);
  });

  it("never returns a card number that is not a documented test card", () => {
    fc.assert(
      fc.property(cardNumber, (n) => {
        const out = persistableCardNumber(n);
        if (DOCUMENTED_TEST_CARDS.has(n)) return out === n;
        // Only the first six and last four digits survive: nothing chargeable, no real number.
        return !/\d{7,}/.test(out) && !isLuhnValid(out) && out !== n;
      }),
      { numRuns: 2000 },
    );
  });

  it("keeps length, BIN, last four, brand and test-card behaviour, and is stable", () => {
    fc.assert(
      fc.property(cardNumber, fc.constantFrom("test" as const, "live" as const), (n, mode) => {
        const out = persistableCardNumber(n);
        return (
          out.length === n.length &&
          out.slice(0, 6) === n.slice(0, 6) &&
          out.slice(-4) === n.slice(-4) &&
          detectBrand(out) === detectBrand(n) &&
          JSON.stringify(cardBehaviour(out, mode)) === JSON.stringify(cardBehaviour(n, mode)) &&
          persistableCardNumber(out) === out &&
          isPersistableCardNumber(out)
        );
      }),
      { numRuns: 2000 },
    );
  });

  it("is what the file schema accepts, and nothing else", () => {
    expect(persistableCardNumber("5555555555554444")).toBe("555555******4444");
    expect(persistableCardNumber("4111111111111111")).toBe("4111111111111111");
    expect(isPersistableCardNumber("5555555555554444")).toBe(false);
    expect(isPersistableCardNumber("555555******4444")).toBe(true);
    expect(isPersistableCardNumber("4000020000000000")).toBe(true);
  });
});
