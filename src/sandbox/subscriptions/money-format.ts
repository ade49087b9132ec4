/**
 * `*_formatted` amounts: the integer minor-unit amount as a decimal number in the
 * currency's main unit (USD 1250 → 12.5, JPY 1250 → 1250). Minor-unit digits come from
 * ICU so that every ISO-4217 code works, not only JPY and USD.
 */
export function formatAmount(amount: number, currency: string): number {
  const digits = minorUnitDigits(currency);
  return amount / 10 ** digits;
}

function minorUnitDigits(currency: string): number {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}
