/**
 * The pages a shopper may see from the gateway itself during the link method: a refused request,
 * a service that is not available, a payment still being confirmed, an expired or unknown link,
 * and a result when the merchant registered no return URL. Plain HTML, Japanese first with an
 * English line, readable on a phone, no scripts or external resources, and never an internal
 * detail: at most the legacy error code, which is what the shop's support asks for. Pure.
 */

export type ShopperPageKind = "rejected" | "busy" | "unavailable" | "processing" | "slow" | "expired" | "link_unknown" | "paid" | "not_paid";

export interface ShopperPage {
  readonly status: number;
  readonly html: string;
}

interface PageText {
  readonly status: number;
  readonly title: string;
  readonly ja: string;
  readonly en: string;
}

const TEXT: Record<ShopperPageKind, PageText> = {
  rejected: {
    status: 400,
    title: "お支払いを開始できませんでした",
    ja: "ショップから送られた決済情報に誤りがあるため、お支払いを開始できませんでした。お手数ですが、ショップにお問い合わせください。",
    en: "The payment could not be started: the shop sent it with an error. Please contact the shop.",
  },
  busy: {
    status: 429,
    title: "ただいま混み合っています",
    ja: "ただいまお支払いの受付が混み合っています。しばらく待ってから、ショップからもう一度お手続きください。",
    en: "Too many payments are being started right now. Please wait a moment and try again from the shop.",
  },
  unavailable: {
    status: 400,
    title: "このお支払い方法はご利用いただけません",
    ja: "選択されたお支払い方法は現在ご利用いただけません。ショップに戻り、別のお支払い方法をお選びください。",
    en: "This payment method is not available. Please go back to the shop and choose another one.",
  },
  processing: {
    status: 200,
    title: "お支払いを確認しています",
    ja: "お支払いの結果を確認しています。このページは自動的に切り替わります。ブラウザを閉じたり、戻るボタンを押したりしないでください。",
    en: "Confirming your payment. This page moves on by itself; please do not close it or go back.",
  },
  slow: {
    status: 200,
    title: "お支払いの確認に時間がかかっています",
    ja: "お支払いの結果をまだ確認できていません。結果はショップに通知され、ショップからご案内があります。二重のお支払いを避けるため、もう一度お支払いをしないでください。",
    en: "Your payment is not confirmed yet. The shop will be told the result and will contact you. Please do not pay again.",
  },
  expired: {
    status: 410,
    title: "お支払いの有効期限が切れました",
    ja: "お支払いの有効期限が切れたため、このお支払いは完了していません。お手数ですが、ショップからもう一度お手続きください。",
    en: "This payment link has expired and the payment was not made. Please start again from the shop.",
  },
  link_unknown: {
    status: 404,
    title: "ページが見つかりません",
    ja: "このお支払いのページは見つかりませんでした。URLをご確認いただくか、ショップにお問い合わせください。",
    en: "This payment page was not found. Please check the address or contact the shop.",
  },
  paid: {
    status: 200,
    title: "お支払いが完了しました",
    ja: "お支払いが完了しました。ご利用ありがとうございました。",
    en: "Your payment is complete. Thank you.",
  },
  not_paid: {
    status: 200,
    title: "お支払いは完了していません",
    ja: "お支払いは完了していません。ショップに戻り、もう一度お手続きください。",
    en: "The payment was not made. Please go back to the shop and try again.",
  },
};

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);

export interface PageOptions {
  /** The legacy error code to quote to the shop's support. */
  readonly ec?: string;
  /** Reload this (same-origin) URL after `refreshSeconds`. */
  readonly refresh?: { readonly url: string; readonly seconds: number };
  /** A link back to the shop. */
  readonly backUrl?: string;
}

export function shopperPage(kind: ShopperPageKind, opts: PageOptions = {}): ShopperPage {
  const t = TEXT[kind];
  const refresh = opts.refresh ? `<meta http-equiv="refresh" content="${opts.refresh.seconds};url=${escapeHtml(opts.refresh.url)}">` : "";
  const code = opts.ec ? `<p class="code">エラーコード / Error code: <span id="ec">${escapeHtml(opts.ec)}</span></p>` : "";
  const back = opts.backUrl ? `<p><a id="back" href="${escapeHtml(opts.backUrl)}">ショップに戻る / Back to the shop</a></p>` : "";
  const spinner = kind === "processing" ? `<div class="spinner" aria-hidden="true"></div>` : "";
  const html = `<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
${refresh}
<title>${escapeHtml(t.title)}</title>
<style>
body{margin:0;font-family:"Hiragino Sans","Noto Sans JP","IPAGothic",sans-serif;background:#f5f5f5;color:#222}
main{max-width:32rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.15)}
h1{font-size:1.25rem;margin:0 0 1rem}
p{line-height:1.6}
.en{color:#666;font-size:.9rem}
.code{font-family:monospace;background:#f0f0f0;padding:.5rem;border-radius:4px}
.spinner{width:2rem;height:2rem;margin:1rem auto;border:4px solid #ddd;border-top-color:#555;border-radius:50%;animation:spin 1s linear infinite}
@keyframes spin{to{transform:rotate(360deg)}}
a{color:#0b57d0}
</style>
</head>
<body>
<main id="${kind}">
<h1>${escapeHtml(t.title)}</h1>
${spinner}
<p>${escapeHtml(t.ja)}</p>
<p class="en" lang="en">${escapeHtml(t.en)}</p>
${code}
${back}
</main>
</body>
</html>
`;
  return { status: t.status, html };
}
