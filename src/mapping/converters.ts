/**
 * The named converters that mappings/fields.yaml refers to by name. Each is a pure function from
 * legacy parameter text to a new-API value, declaring its arity, its output parts and every
 * failure reason it can return (the loader checks the YAML maps each reason to an error key).
 * Never throws, never reads anything but its inputs and env.
 */
import type { ParamSource } from "./param-source";

export interface AmountLimits {
  readonly min: number;
  readonly max: number;
}

export interface ConvertEnv {
  readonly now: Date;
  readonly limits: { readonly amount: AmountLimits };
  readonly params: ParamSource;
}

export interface ConvertIssue {
  readonly reason: string;
  /** Parameter at fault when it differs from the rule's first input (e.g. "siam2"). */
  readonly field?: string;
}

/** `value: undefined` means "nothing to write" (the output is omitted). */
export type ConvertOutcome = { ok: true; value: unknown } | { ok: false; issues: readonly ConvertIssue[] };

export interface Converter {
  /** Number of `from` parameters; 0 means the converter reads env.params itself. */
  readonly arity: number;
  /** Named parts for multi-output converters; the YAML `to` then maps part → path. */
  readonly outputs?: readonly string[];
  readonly reasons: readonly string[];
  convert(inputs: readonly string[], env: ConvertEnv): ConvertOutcome;
}

const ok = (value: unknown): ConvertOutcome => ({ ok: true, value });
const fail = (reason: string, field?: string): ConvertOutcome => ({
  ok: false,
  issues: [field === undefined ? { reason } : { reason, field }],
});

/** Digits, optionally with an all-zero fraction (EC-CUBE sends decimal(12,2) like "1080.00"). */
const YEN = /^(\d+)(?:\.0+)?$/;

/** Parses one legacy yen amount; never a sign, exponent, blank or non-zero fraction. */
export function parseYen(raw: string): { ok: true; value: number } | { ok: false } {
  const m = YEN.exec(raw);
  if (!m || m[1] === undefined) return { ok: false };
  // Huge digit strings become large floats; they still compare above any sane limit.
  return { ok: true, value: Number(m[1]) };
}

function checkBounds(total: number, limits: AmountLimits): ConvertOutcome {
  if (total < limits.min) return fail("too_low");
  if (total > limits.max) return fail("too_high");
  return ok(total);
}

const yen: Converter = {
  arity: 1,
  reasons: ["invalid", "too_low", "too_high"],
  convert: ([raw = ""], env) => {
    const y = parseYen(raw);
    return y.ok ? checkBounds(y.value, env.limits.amount) : fail("invalid");
  },
};

/** siamN and sisfN: the item amounts and shipping fees summed into the legacy total. */
export const ITEM_AMOUNT = /^(?:siam|sisf)\d+$/;

/** The legacy total `ta` = Σ(siamN + sisfN); the charge is for this total incl. shipping. */
const legacyTotal: Converter = {
  arity: 0,
  reasons: ["missing", "invalid", "too_low", "too_high"],
  convert: (_inputs, env) => {
    const { params } = env;
    if (params.get("siam1") === undefined) return fail("missing", "siam1");
    const seen = new Set<string>();
    const issues: ConvertIssue[] = [];
    let total = 0;
    for (const { name } of params.fields) {
      if (!ITEM_AMOUNT.test(name)) continue;
      // A repeated amount name is ambiguous: we cannot know which value the merchant meant.
      if (seen.has(name)) {
        issues.push({ reason: "invalid", field: name });
        continue;
      }
      seen.add(name);
      const y = parseYen(params.get(name) ?? "");
      if (y.ok) total += y.value;
      else issues.push({ reason: "invalid", field: name });
    }
    if (issues.length > 0) return { ok: false, issues };
    return checkBounds(total, env.limits.amount);
  },
};

const text: Converter = { arity: 1, reasons: [], convert: ([raw]) => ok(raw) };

/** `sod` is echoed in kickbacks and limited to 50 characters (FUR schema). */
const referenceId: Converter = {
  arity: 1,
  reasons: ["too_long"],
  convert: ([raw = ""]) => ([...raw].length > 50 ? fail("too_long") : ok(raw)),
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/**
 * An email never contains a space, but a raw `+` in a query string decodes as one, and the
 * EC-CUBE legacy plugin appends `em` unescaped (taro+shop@example.jp arrives as "taro shop@…"):
 * every space is read back as the `+` it was.
 */
const email: Converter = {
  arity: 1,
  reasons: ["invalid"],
  convert: ([raw = ""]) => {
    const value = raw.replace(/ /g, "+");
    return value.length <= 254 && EMAIL.test(value) ? ok(value) : fail("invalid");
  },
};

/** Digits only (P64P06 is 電話番号形式違反); 6–15 covers JP numbers and E.164 without "+". */
const phoneDigits: Converter = {
  arity: 1,
  reasons: ["invalid"],
  convert: ([raw = ""]) => (/^\d{6,15}$/.test(raw) ? ok(raw) : fail("invalid")),
};

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

const cardNumber: Converter = {
  arity: 1,
  reasons: ["short", "invalid"],
  convert: ([raw = ""]) => {
    if (!/^\d+$/.test(raw)) return fail("invalid");
    if (raw.length < 13) return fail("short");
    if (raw.length > 19 || !luhnValid(raw)) return fail("invalid");
    return ok(raw);
  },
};

/** Japan has no DST; card expiry is judged by the calendar month in JST. */
const JST_OFFSET_MS = 9 * 60 * 60 * 1000;

/** `expire` is MMYY (WOO) or MMYYYY (LEG); a card is valid through the end of its month. */
const cardExpiry: Converter = {
  arity: 1,
  outputs: ["month", "year"],
  reasons: ["invalid", "expired"],
  convert: ([raw = ""], env) => {
    const m = /^(\d{2})(\d{2}|\d{4})$/.exec(raw);
    if (!m || m[1] === undefined || m[2] === undefined) return fail("invalid");
    const month = Number(m[1]);
    const year = m[2].length === 2 ? 2000 + Number(m[2]) : Number(m[2]);
    if (month < 1 || month > 12 || year < 2000) return fail("invalid");
    const now = new Date(env.now.getTime() + JST_OFFSET_MS);
    if (year * 12 + month < now.getUTCFullYear() * 12 + now.getUTCMonth() + 1) return fail("expired");
    return ok({ month: m[1], year: String(year) });
  },
};

const cvv: Converter = {
  arity: 1,
  reasons: ["invalid"],
  convert: ([raw = ""]) => (/^\d{3,4}$/.test(raw) ? ok(raw) : fail("invalid")),
};

const HOLDER_PART = /^[A-Za-z .'-]*[A-Za-z][A-Za-z .'-]*$/;

/** The new API needs "FIRST LAST" with a space-separated surname (LAST_NAME_REQUIRED). */
const cardholder: Converter = {
  arity: 2,
  reasons: ["invalid"],
  convert: ([first = "", last = ""]) => {
    const f = first.trim();
    const l = last.trim();
    if (!HOLDER_PART.test(f) || !HOLDER_PART.test(l)) return fail("invalid");
    return ok(`${f} ${l}`);
  },
};

/**
 * `sc` (支払い回数): only 1 (一括, lump sum) can be honoured by a one-off charge. Card-company
 * installments exist in the new API only on subscriptions (installment_plan), so any other value
 * is refused rather than silently charged in one go. Writes nothing on success.
 */
const lumpSumOnly: Converter = {
  arity: 1,
  reasons: ["unsupported"],
  convert: ([raw = ""]) => (raw === "1" || raw === "01" ? ok(undefined) : fail("unsupported")),
};

export const CONVERTERS = {
  lumpSumOnly,
  yen,
  legacyTotal,
  text,
  referenceId,
  email,
  phoneDigits,
  cardNumber,
  cardExpiry,
  cvv,
  cardholder,
} satisfies Record<string, Converter>;
export type ConverterName = keyof typeof CONVERTERS;

export function findConverter(name: string): Converter | undefined {
  return Object.prototype.hasOwnProperty.call(CONVERTERS, name) ? CONVERTERS[name as ConverterName] : undefined;
}
