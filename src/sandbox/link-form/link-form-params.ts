/**
 * The link form's query (§17.2.1 "パラメータ(基本動作)") as zod reads it, with Japanese messages
 * for the error page. Only a card payment is simulated: `checkout=payment`, `paymentMethods`
 * including card (or a card brand), a one_time token. Documented parameters the sandbox cannot
 * honour (tokenOnly=true, another type or checkout) are refused rather than silently ignored;
 * parameters it does not know are ignored, as a form ignores extra query text. `threeDsMode` is
 * the sandbox's own addition. appId is checked by the route before anything here.
 */
import { z } from "zod";
import type { Metadata, ThreeDsMode } from "../state/models";
import { parseFormMetadata } from "./form-metadata";

export interface LinkFormParams {
  readonly amount: number;
  readonly currency: string;
  /** false with `auth=true`: authorization only. */
  readonly capture: boolean;
  readonly captureAt: string | undefined;
  /** Card brands the form takes (from paymentMethods); null = every brand. */
  readonly cardBrands: readonly string[] | null;
  readonly prefill: { readonly email: string; readonly cardholder: string; readonly phoneNumber: string };
  /** The phone field: shown when prefilled or required (`requirePhoneNumber=true`). */
  readonly phone: { readonly shown: boolean; readonly required: boolean; readonly countryCode: number };
  /** `metadata` plus `univapay-reference-id`: what the charge (and token) carry. */
  readonly metadata: Metadata;
  readonly redirects: { readonly success: string | undefined; readonly failure: string | undefined; readonly pending: string | undefined };
  readonly showRedirectMetadata: boolean;
  /** null = no 3-D Secure step; `challenge` = the shopper answers a challenge page. */
  readonly threeDs: { readonly mode: ThreeDsMode; readonly challenge: boolean } | null;
}

export type LinkFormParse = { readonly ok: true; readonly params: LinkFormParams } | { readonly ok: false; readonly problems: readonly string[] };

const CARD_BRANDS = ["visa", "mastercard", "jcb", "american_express", "diners_club", "unionpay", "maestro", "discover"];
/** Documented values the form would offer but the sandbox does not simulate. */
const OTHER_METHODS = [
  "konbini",
  "paidy",
  "bank_transfer",
  "pay_pay_online",
  "we_chat_online",
  "alipay_online",
  "alipay_plus_online",
  "online",
  "seven_eleven",
  "family_mart",
  "lawson",
  "mini_stop",
  "seico_mart",
  "pay_easy",
  "daily_yamazaki",
  "yamazaki_daily_store",
];
const MULTI_VALUED = new Set(["paymentMethods", "paymentMethods[]"]);

const bool = (name: string) => z.enum(["true", "false"], { error: `${name} は true か false で指定してください` }).transform((v) => v === "true");
const redirectUrl = (name: string) =>
  z
    .string()
    .refine(isHttpUrl, { error: `${name} は http:// か https:// で始まる URL で指定してください` })
    .optional();

const QuerySchema = z.object({
  checkout: z.enum(["payment"], { error: "checkout は payment のみ対応しています（token・qr は未対応）" }).default("payment"),
  amount: z
    .string({ error: "amount（金額）がありません" })
    .regex(/^[1-9]\d{0,11}$/, { error: "amount は1以上の整数で指定してください" })
    .transform(Number),
  currency: z
    .string()
    .regex(/^[A-Za-z]{3}$/, { error: "currency は ISO 4217 の3文字（例: jpy）で指定してください" })
    .transform((c) => c.toUpperCase())
    .default("JPY"),
  type: z.enum(["one_time"], { error: "type は one_time のみ対応しています" }).optional(),
  tokenOnly: z.enum(["false"], { error: "tokenOnly=true（トークン化のみ）は未対応です" }).optional(),
  auth: bool("auth").default(false),
  captureAt: z.iso.datetime({ offset: true, error: "captureAt は ISO 8601 形式（例: 2025-01-01T00:00:00.000Z）で指定してください" }).optional(),
  emailAddress: z.string().max(254, { error: "emailAddress が長すぎます" }).default(""),
  cardholder: z.string().max(100, { error: "cardholder が長すぎます" }).default(""),
  phoneNumber: z
    .string()
    .regex(/^\d{1,15}$/, { error: "phoneNumber は数字のみ（ハイフンなし）で指定してください" })
    .default(""),
  phoneNumberCountryCode: z
    .string()
    .regex(/^\d{1,4}$/, { error: "phoneNumberCountryCode は数字で指定してください" })
    .transform(Number)
    .default(81),
  requirePhoneNumber: bool("requirePhoneNumber").default(false),
  univapayReferenceId: z.string().min(1).max(255, { error: "univapayReferenceId が長すぎます" }).optional(),
  metadata: z.string().optional(),
  successRedirectUrl: redirectUrl("successRedirectUrl"),
  failureRedirectUrl: redirectUrl("failureRedirectUrl"),
  pendingRedirectUrl: redirectUrl("pendingRedirectUrl"),
  // Accepted for compatibility; the sandbox always redirects once the payment has an outcome.
  autoRedirect: bool("autoRedirect").optional(),
  showRedirectMetadata: bool("showRedirectMetadata").default(false),
  threeDsMode: z
    .enum(["normal", "skip", "force", "require", "if_available"], { error: "threeDsMode は force・require・if_available・normal・skip のいずれかです" })
    .optional(),
});

/** Reads the query of GET/POST /forms/{id}; every problem is listed, not just the first. */
export function parseLinkFormParams(search: URLSearchParams): LinkFormParse {
  const problems: string[] = [];
  const single: Record<string, string> = {};
  for (const key of new Set(search.keys())) {
    if (MULTI_VALUED.has(key)) continue;
    const values = search.getAll(key);
    if (values.length > 1) problems.push(`${key} が複数回指定されています`);
    single[key] = values[0] ?? "";
  }
  const brands = cardBrandsOf([...search.getAll("paymentMethods"), ...search.getAll("paymentMethods[]")], problems);
  const parsed = QuerySchema.safeParse(single);
  if (!parsed.success) problems.push(...parsed.error.issues.map((i) => i.message));
  if (!parsed.success || brands === undefined) return { ok: false, problems };
  const q = parsed.data;
  const metadata = metadataOf(q.metadata, q.univapayReferenceId, problems);
  if (q.captureAt !== undefined && !q.auth) problems.push("captureAt は auth=true のときだけ指定できます");
  if (problems.length > 0 || metadata === undefined) return { ok: false, problems };
  return {
    ok: true,
    params: {
      amount: q.amount,
      currency: q.currency,
      capture: !q.auth,
      captureAt: q.captureAt,
      cardBrands: brands,
      prefill: { email: q.emailAddress, cardholder: q.cardholder, phoneNumber: q.phoneNumber },
      phone: { shown: q.requirePhoneNumber || q.phoneNumber !== "", required: q.requirePhoneNumber, countryCode: q.phoneNumberCountryCode },
      metadata,
      redirects: { success: q.successRedirectUrl, failure: q.failureRedirectUrl, pending: q.pendingRedirectUrl },
      showRedirectMetadata: q.showRedirectMetadata,
      threeDs: q.threeDsMode === undefined ? null : { mode: q.threeDsMode, challenge: ["force", "require", "if_available"].includes(q.threeDsMode) },
    },
  };
}

/** paymentMethods (comma lists, possibly repeated as `paymentMethods[]`): null = any card; undefined = refused. */
function cardBrandsOf(values: readonly string[], problems: string[]): readonly string[] | null | undefined {
  if (values.length === 0) return null;
  const methods = values.flatMap((v) => v.split(",")).map((m) => m.trim().toLowerCase());
  const unknown = methods.filter((m) => m !== "card" && !CARD_BRANDS.includes(m) && !OTHER_METHODS.includes(m));
  if (unknown.length > 0) {
    problems.push(`paymentMethods に不明な値があります: ${unknown.join(", ")}`);
    return undefined;
  }
  if (methods.includes("card")) return null;
  const brands = methods.filter((m) => CARD_BRANDS.includes(m));
  if (brands.length > 0) return brands;
  problems.push("このリンクフォームはクレジットカード（card）のみ対応しています: paymentMethods に card を含めてください");
  return undefined;
}

function metadataOf(text: string | undefined, referenceId: string | undefined, problems: string[]): Metadata | undefined {
  let metadata: Metadata = {};
  if (text !== undefined && text.trim() !== "") {
    const r = parseFormMetadata(text);
    if (!r.ok) {
      problems.push(`metadata の書式が不正です: ${r.reason}`);
      return undefined;
    }
    metadata = r.metadata;
  }
  if (referenceId === undefined) return metadata;
  const given = metadata["univapay-reference-id"];
  if (given !== undefined && given !== referenceId) {
    problems.push("univapayReferenceId と metadata の univapay-reference-id が食い違っています");
    return undefined;
  }
  return { ...metadata, "univapay-reference-id": referenceId };
}

function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
}
