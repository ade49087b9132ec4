/**
 * The link form's page frame: one self-contained Japanese page (inline CSS, no script, no external
 * resource), sized for phones, plus HTML escaping and money text. Every value placed in a page
 * goes through esc(); nothing here knows about payments.
 */
import { fractionDigits } from "../state/render";

export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Yen as Japanese pages write it ("1,200円"); other currencies from their minor units. */
export function moneyText(amount: number, currency: string): string {
  if (currency === "JPY") return `${amount.toLocaleString("ja-JP")}円`;
  const digits = fractionDigits(currency);
  try {
    return new Intl.NumberFormat("ja-JP", { style: "currency", currency, minimumFractionDigits: digits }).format(amount / 10 ** digits);
  } catch {
    return `${amount} ${currency}`;
  }
}

export interface PageFrame {
  readonly title: string;
  /** The shop as the form's title bar shows it; null on pages of no known store. */
  readonly storeName: string | null;
  readonly testMode: boolean;
  /** Already-escaped HTML. */
  readonly body: string;
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;background:#f2f4f7;color:#1f2933;font:16px/1.6 system-ui,-apple-system,"Hiragino Sans","Noto Sans JP",Meiryo,sans-serif}
main{max-width:420px;margin:0 auto;padding:16px}
.panel{background:#fff;border-radius:12px;box-shadow:0 1px 4px rgba(0,0,0,.12);padding:20px}
header{display:flex;justify-content:space-between;align-items:center;margin-bottom:12px}
.shop{font-weight:700;margin:0}
.badge{font-size:12px;background:#fde68a;border-radius:6px;padding:2px 8px;margin:0}
h1{font-size:20px;margin:0 0 12px}
.amount{font-size:28px;font-weight:700;margin:0 0 16px}
label{display:block;font-size:14px;margin:12px 0 4px}
input{width:100%;font-size:16px;padding:10px;border:1px solid #cbd2d9;border-radius:8px}
.row{display:flex;gap:8px}.row>div{flex:1}
button,.button{display:block;width:100%;margin-top:20px;padding:12px;font-size:17px;font-weight:700;color:#fff;background:#2563eb;border:0;border-radius:8px;text-align:center;text-decoration:none;cursor:pointer}
.secondary{background:#e4e7eb;color:#1f2933;margin-top:10px}
.errors{background:#fdecea;color:#8a1c1c;border-radius:8px;padding:10px 14px;margin:0 0 12px}
.errors p{margin:4px 0}
.note{font-size:13px;color:#52606d}
`;

export function page(frame: PageFrame): string {
  const head = frame.storeName === null ? "" : `<p class="shop">${esc(frame.storeName)}</p>`;
  const badge = frame.testMode ? `<p class="badge">テストモード</p>` : "";
  return `<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${esc(frame.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main><div class="panel">
<header>${head}${badge}</header>
${frame.body}
</div></main>
</body>
</html>
`;
}

/** The red box of messages (already plain text; escaped here). Empty list → nothing. */
export function errorBox(messages: readonly string[]): string {
  if (messages.length === 0) return "";
  return `<div class="errors" role="alert" id="errors">${messages.map((m) => `<p>${esc(m)}</p>`).join("")}</div>`;
}
