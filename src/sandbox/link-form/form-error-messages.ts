/**
 * Japanese text for what the shopper is told when the sandbox's own API rules refuse the payment
 * (token or charge creation) and when a charge ends failed. Unlisted codes still say which code it
 * was, so a tester can look it up; nothing here quotes card data.
 */
import type { ApiError } from "../errors";
import type { PaymentError } from "../state/models";

const REFUSALS: Readonly<Record<string, string>> = {
  LAST_NAME_REQUIRED: "カード名義は姓と名を半角スペースで区切って入力してください（例: TARO YAMADA）。",
  NO_TEST_CARD_IN_LIVE_MODE: "本番モードではテストカードはご利用いただけません。",
  CARD_LOCKED: "このカードは失敗が続いたため、しばらくご利用いただけません。",
  CHARGE_TOO_QUICK: "同じカード・同じ金額でのお支払いが続いています。しばらく待ってからお試しください。",
  RESOURCE_LIMIT_REACHED: "本日のテスト決済の上限に達しました。",
  LIVE_MODE_NOT_ENABLED_WHEN_UNVERIFIED: "この店舗はまだ本番のお支払いを受け付けていません。",
  CHARGE_AMOUNT_TOO_HIGH: "金額が上限を超えています。",
};

const FIELD_REASONS: Readonly<Record<string, string>> = {
  INVALID_CARD_EXPIRATION: "カードの有効期限が正しくないか、期限が切れています。",
  INVALID_CARD_NUMBER: "カード番号が正しくありません。",
  MUST_BE_FUTURE_TIME: "captureAt には未来の日時を指定してください。",
  INVALID_FORMAT_EMAIL: "メールアドレスの形式が正しくありません。",
};

export function refusalMessage(err: ApiError): string {
  const known = REFUSALS[err.code];
  if (known) return known;
  if (err.code === "VALIDATION_ERROR") {
    const reasons = err.errors.map((e) => FIELD_REASONS[e.reason]).filter((m): m is string => m !== undefined);
    if (reasons.length > 0) return reasons.join(" ");
  }
  return `お支払いを受け付けられませんでした（${err.code}）。`;
}

const FAILURES: Readonly<Record<number, string>> = {
  309: "カード会社によりお支払いが承認されませんでした。",
  311: "短時間に同じカードでのお支払いが続いたため、お支払いできませんでした。",
  358: "3Dセキュア認証が完了しなかったため、お支払いできませんでした。",
};

export function failureMessage(error: PaymentError | null): string {
  if (error === null) return "お支払いできませんでした。";
  return FAILURES[error.code] ?? `お支払いできませんでした（エラーコード ${error.code}）。`;
}
