/**
 * The token script's result codes (token-js.md §2) and the gateway's own server-side ones (9xx,
 * decided here: the old server codes are unknown), with the messages getResultCodeDetail shows.
 * One table for both sides: the served script embeds it, the endpoints answer from it. `cn` and
 * `tw` have no texts of their own yet and show the English one.
 */
export const TOKEN_SUCCESS = "000";

export const TOKEN_RESULT_CODES = {
  "100": { ja: "カード番号が入力されていません", en: "Card number is missing" },
  "101": { ja: "カード番号は数字で入力してください", en: "Card number must be digits" },
  "102": { ja: "カード番号の桁数が正しくありません", en: "Card number must be 13 to 16 digits" },
  "110": { ja: "有効期限が入力されていません", en: "Expiry date is missing" },
  "111": { ja: "有効期限は数字で入力してください", en: "Expiry date must be digits" },
  "112": { ja: "有効期限の桁数が正しくありません", en: "Expiry date must be MMYY or MMYYYY" },
  "113": { ja: "有効期限の月が正しくありません", en: "Expiry month must be 01 to 12" },
  "114": { ja: "有効期限が切れています", en: "The card has expired" },
  "121": { ja: "セキュリティコードは数字で入力してください", en: "Security code must be digits" },
  "122": { ja: "セキュリティコードの桁数が正しくありません", en: "Security code must be 3 or 4 digits" },
  "131": { ja: "カード名義（名）は半角英字で入力してください", en: "Cardholder first name must be letters A-Z, at most 50" },
  "132": { ja: "カード名義（名）が入力されていません", en: "Cardholder first name is missing" },
  "133": { ja: "カード名義（姓）は半角英字で入力してください", en: "Cardholder last name must be letters A-Z, at most 50" },
  "134": { ja: "カード名義（姓）が入力されていません", en: "Cardholder last name is missing" },
  "300": { ja: "店舗IDが設定されていません", en: "Shop ID is missing (Multipayment.init)" },
  "301": { ja: "店舗IDは数字で設定してください", en: "Shop ID must be digits" },
  "302": { ja: "店舗IDの桁数が正しくありません", en: "Shop ID must be 6 digits" },
  "304": { ja: "会員IDが長すぎます", en: "memberid is longer than 32 characters" },
  "305": { ja: "メールアドレスの形式が正しくありません", en: "Email address is not valid" },
  "306": { ja: "メールアドレスが長すぎます", en: "Email address is longer than 100 characters" },
  "307": { ja: "電話番号は数字で入力してください", en: "Phone number must be digits" },
  "308": { ja: "電話番号の桁数が正しくありません", en: "Phone number must be 8 to 20 digits" },
  "309": { ja: "会員コードが長すぎます", en: "membercode is longer than 32 characters" },
  "310": { ja: "タグ名が入力されていません", en: "Tag name is missing" },
  "311": { ja: "タグ名は半角英数字で入力してください", en: "Tag name must be letters and digits" },
  "312": { ja: "タグ名が長すぎます", en: "Tag name is longer than 32 characters" },
  "701": { ja: "パラメータの形式が正しくありません", en: "The first argument must be an object" },
  "900": { ja: "システムエラーが発生しました", en: "System error" },
  "901": { ja: "リクエストを読み取れませんでした。ページを再読み込みしてください", en: "The request could not be read; reload the page" },
  "902": { ja: "このサイトからはカード情報を送信できません", en: "Card data cannot be sent from this site" },
  "903": { ja: "しばらく時間をおいてから再度お試しください", en: "Too many attempts; try again later" },
  "904": { ja: "この店舗ではご利用いただけません", en: "Not available for this shop" },
  "905": { ja: "このカードはご利用いただけません", en: "This card cannot be used" },
  "906": { ja: "決済システムに接続できませんでした。再度お試しください", en: "The payment system is unavailable; try again" },
} as const satisfies Record<string, { ja: string; en: string }>;

export type TokenResultCode = keyof typeof TOKEN_RESULT_CODES;
