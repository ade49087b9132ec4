/**
 * Calendar-month arithmetic on UTC instants for the sandbox's month-long rules (test-mode
 * recurring tokens vanish after 1 month; bounded `usage_limit` periods). Pure.
 */

/** `epochMs` plus `months` calendar months at the same UTC time; a missing day clamps to the month's last (01-31 + 1 → 02-28/29). */
export function addUtcMonths(epochMs: number, months: number): number {
  const d = new Date(epochMs);
  const total = d.getUTCFullYear() * 12 + d.getUTCMonth() + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return Date.UTC(year, month, Math.min(d.getUTCDate(), lastDay), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}
