/**
 * The card form's fields as the shopper typed them (POST /forms/{id}, urlencoded): zod with
 * Japanese messages. Spaces and hyphens in the card number are dropped, as payment pages allow.
 * The expiry is two inputs, `expMonth` (1–12) and `expYear` (YY or YYYY). Messages never quote
 * the card number or the CVV: the page that shows them must not echo either.
 */
import { z } from "zod";
import { isLuhnValid } from "../test-cards";

export const CardFormInputSchema = z.object({
  cardNumber: z
    .string({ error: "カード番号を入力してください" })
    .transform((n) => n.replace(/[\s-]/g, ""))
    .pipe(z.string().min(1, { error: "カード番号を入力してください" }).refine(isLuhnValid, { error: "カード番号が正しくありません" })),
  expMonth: z
    .string({ error: "有効期限（月）を入力してください" })
    .trim()
    .regex(/^\d{1,2}$/, { error: "有効期限（月）は数字で入力してください" })
    .transform(Number)
    .pipe(z.number().min(1, { error: "有効期限（月）は01〜12で入力してください" }).max(12, { error: "有効期限（月）は01〜12で入力してください" })),
  expYear: z
    .string({ error: "有効期限（年）を入力してください" })
    .trim()
    .regex(/^(\d{2}|\d{4})$/, { error: "有効期限（年）は2桁か4桁の数字で入力してください" })
    .transform((y) => (y.length === 2 ? 2000 + Number(y) : Number(y))),
  cvv: z
    .string({ error: "セキュリティコードを入力してください" })
    .trim()
    .regex(/^\d{3,4}$/, { error: "セキュリティコードは3桁か4桁の数字で入力してください" }),
  cardholder: z
    .string({ error: "カード名義を入力してください" })
    .trim()
    .min(1, { error: "カード名義を入力してください" })
    .max(100, { error: "カード名義が長すぎます" }),
  email: z
    .string({ error: "メールアドレスを入力してください" })
    .trim()
    .pipe(z.email({ error: "メールアドレスの形式が正しくありません" })),
  phoneNumber: z
    .string()
    .trim()
    .regex(/^\d{0,15}$/, { error: "電話番号は数字のみ（ハイフンなし）で入力してください" })
    .default(""),
});
export type CardFormInput = z.infer<typeof CardFormInputSchema>;

/** What the form may show again after a refusal: never the card number or the CVV. */
export interface EchoableFields {
  readonly cardholder: string;
  readonly email: string;
  readonly phoneNumber: string;
  readonly expMonth: string;
  readonly expYear: string;
}

export function echoableFields(body: Readonly<Record<string, string>>): EchoableFields {
  const short = (v: string | undefined, max: number): string => (v ?? "").slice(0, max);
  return {
    cardholder: short(body["cardholder"], 100),
    email: short(body["email"], 254),
    phoneNumber: short(body["phoneNumber"], 15),
    expMonth: short(body["expMonth"], 2),
    expYear: short(body["expYear"], 4),
  };
}

export type CardFormParse = { readonly ok: true; readonly input: CardFormInput } | { readonly ok: false; readonly messages: readonly string[] };

export function parseCardForm(body: Readonly<Record<string, string>>): CardFormParse {
  const r = CardFormInputSchema.safeParse(body);
  if (r.success) return { ok: true, input: r.data };
  return { ok: false, messages: [...new Set(r.error.issues.map((i) => i.message))] };
}
