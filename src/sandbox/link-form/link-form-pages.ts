/**
 * The link form's three pages: the card form, the 3-D Secure challenge and the message page
 * (results, errors, cancel). Input names and ids are a contract with the gateway's browser tests:
 * cardNumber, expMonth, expYear, cvv, cardholder, email, phoneNumber, nonce; #pay, #cancel;
 * threeDsPassword, #threeDsSubmit, #threeDsCancel. No page ever holds a card number or a CVV.
 */
import type { EchoableFields } from "./card-form-input";
import { errorBox, esc, moneyText, page } from "./link-form-html";

/** What every page of one form shows about the shop and the payment. */
export interface FormHeader {
  readonly storeName: string;
  readonly testMode: boolean;
  readonly amount: number;
  readonly currency: string;
  /** false: authorization only (auth=true). */
  readonly capture: boolean;
}

export interface CardFormView {
  readonly header: FormHeader;
  /** Path and query the form posts to (the page's own URL, so the POST sees the same parameters). */
  readonly action: string;
  readonly nonce: string;
  readonly cancelHref: string;
  readonly values: EchoableFields;
  readonly phone: { readonly shown: boolean; readonly required: boolean };
  readonly messages: readonly string[];
}

export function cardFormPage(v: CardFormView): string {
  const field = (name: string, label: string, attrs: string, value = ""): string =>
    `<label for="${name}">${label}</label><input id="${name}" name="${name}" ${attrs} value="${esc(value)}">`;
  const phone = v.phone.shown
    ? field(
        "phoneNumber",
        v.phone.required ? "電話番号" : "電話番号（任意）",
        `type="tel" inputmode="numeric" autocomplete="tel"${v.phone.required ? " required" : ""}`,
        v.values.phoneNumber,
      )
    : "";
  const body = `<h1>クレジットカードでのお支払い</h1>
${amountLine(v.header)}
${errorBox(v.messages)}
<form method="post" action="${esc(v.action)}" autocomplete="on" novalidate>
<input type="hidden" name="nonce" value="${esc(v.nonce)}">
${field("cardNumber", "カード番号", `type="text" inputmode="numeric" autocomplete="cc-number" maxlength="23" placeholder="1234 5678 9012 3456" required`)}
<div class="row"><div>${field("expMonth", "有効期限（月）", `type="text" inputmode="numeric" autocomplete="cc-exp-month" maxlength="2" placeholder="MM" required`, v.values.expMonth)}</div>
<div>${field("expYear", "有効期限（年）", `type="text" inputmode="numeric" autocomplete="cc-exp-year" maxlength="4" placeholder="YY" required`, v.values.expYear)}</div></div>
${field("cvv", "セキュリティコード", `type="password" inputmode="numeric" autocomplete="cc-csc" maxlength="4" required`)}
${field("cardholder", "カード名義（例: TARO YAMADA）", `type="text" autocomplete="cc-name" maxlength="100" required`, v.values.cardholder)}
${field("email", "メールアドレス", `type="email" autocomplete="email" maxlength="254" required`, v.values.email)}
${phone}
<button type="submit" id="pay">支払う</button>
</form>
<a class="button secondary" id="cancel" href="${esc(v.cancelHref)}">キャンセル</a>`;
  return page({ title: "お支払い", storeName: v.header.storeName, testMode: v.header.testMode, body });
}

export interface ThreeDsView {
  readonly header: FormHeader;
  readonly action: string;
  readonly nonce: string;
}

/** The sandbox's stand-in for the issuer's challenge; the password is THREE_DS_PASSWORD. */
export function threeDsPage(v: ThreeDsView): string {
  const body = `<h1>3Dセキュア認証</h1>
${amountLine(v.header)}
<p>カード発行会社による本人認証です。パスワードを入力してください。</p>
<p class="note">サンドボックスのパスワードは「password」です。それ以外を入力するかキャンセルすると、お支払いは失敗します。</p>
<form method="post" action="${esc(v.action)}">
<input type="hidden" name="nonce" value="${esc(v.nonce)}">
<label for="threeDsPassword">パスワード</label><input id="threeDsPassword" name="threeDsPassword" type="password" autocomplete="off" required>
<button type="submit" id="threeDsSubmit" name="action" value="submit">認証する</button>
<button type="submit" class="secondary" id="threeDsCancel" name="action" value="cancel" formnovalidate>キャンセル</button>
</form>`;
  return page({ title: "3Dセキュア認証", storeName: v.header.storeName, testMode: v.header.testMode, body });
}

export interface MessageView {
  readonly title: string;
  readonly lines: readonly string[];
  /** Present when the page belongs to a known store's form. */
  readonly header?: FormHeader;
  readonly link?: { readonly href: string; readonly text: string };
}

export function messagePage(v: MessageView): string {
  const lines = v.lines.map((l) => `<p>${esc(l)}</p>`).join("\n");
  const link = v.link ? `<a class="button" id="continue" href="${esc(v.link.href)}">${esc(v.link.text)}</a>` : "";
  const body = `<h1>${esc(v.title)}</h1>\n${v.header ? amountLine(v.header) : ""}\n${lines}\n${link}`;
  return page({ title: v.title, storeName: v.header?.storeName ?? null, testMode: v.header?.testMode ?? false, body });
}

function amountLine(h: FormHeader): string {
  const auth = h.capture ? "" : `<p class="note">与信（仮売上）のみ行います。</p>`;
  return `<p class="amount" id="amount">${esc(moneyText(h.amount, h.currency))}</p>${auth}`;
}
