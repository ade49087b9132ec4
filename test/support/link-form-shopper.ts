/**
 * A shopper without a browser, for the link method's integration tests: it follows the gateway's
 * and the sandbox form's redirects one at a time (so each hop can be asserted), and fills the
 * sandbox link form the way a person would: the inputs the page renders, with a card typed in.
 * The browser tests (test/browser) do the same in Chromium.
 */
import axios from "axios";

export interface Hop {
  readonly status: number;
  readonly location: string | undefined;
  readonly body: string;
  readonly url: string;
}

export async function get(url: string, headers: Record<string, string> = {}): Promise<Hop> {
  const res = await axios.get(url, { headers, maxRedirects: 0, validateStatus: () => true, responseType: "text", transformResponse: (x) => x });
  const location = res.headers["location"] as string | undefined;
  return { status: res.status, location: location && new URL(location, url).toString(), body: String(res.data), url };
}

export async function post(url: string, fields: Record<string, string>): Promise<Hop> {
  const res = await axios.post(url, new URLSearchParams(fields).toString(), {
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    maxRedirects: 0,
    validateStatus: () => true,
    responseType: "text",
    transformResponse: (x) => x,
  });
  const location = res.headers["location"] as string | undefined;
  return { status: res.status, location: location && new URL(location, url).toString(), body: String(res.data), url };
}

const NAMED: Record<string, string> = { amp: "&", quot: '"', lt: "<", gt: ">", apos: "'" };
const unescape = (s: string) =>
  s.replace(/&(#\d+|[a-z]+);/g, (m, e: string) => (e.startsWith("#") ? String.fromCharCode(Number(e.slice(1))) : (NAMED[e] ?? m)));

/** The first form of a page: its action (absolute) and its inputs' current values. */
export function readForm(page: Hop, formId?: string): { action: string; fields: Record<string, string> } {
  const forms = [...page.body.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)];
  const form = formId ? forms.find((f) => new RegExp(`id="${formId}"`).test(f[1] ?? "")) : forms[0];
  if (!form) throw new Error(`no form on ${page.url}: ${page.body.slice(0, 300)}`);
  const action = unescape(/action="([^"]*)"/.exec(form[1] ?? "")?.[1] ?? "");
  const fields: Record<string, string> = {};
  for (const m of (form[2] ?? "").matchAll(/<input\b([^>]*)>/g)) {
    const attrs = m[1] ?? "";
    const name = /name="([^"]*)"/.exec(attrs)?.[1];
    if (name) fields[name] = unescape(/value="([^"]*)"/.exec(attrs)?.[1] ?? "");
  }
  return { action: new URL(action || page.url, page.url).toString(), fields };
}

export interface Card {
  readonly number: string;
  readonly month?: string;
  readonly year?: string;
  readonly cvv?: string;
  readonly holder?: string;
}

/** Types a card into the sandbox link form and submits it; answers the form's response. */
export async function payOnForm(form: Hop, card: Card, extra: Record<string, string> = {}): Promise<Hop> {
  const { action, fields } = readForm(form);
  const month = card.month ?? "12";
  const year = card.year ?? "2030";
  const typed: Record<string, string> = { ...fields, cardNumber: card.number, cvv: card.cvv ?? "123", cardholder: card.holder ?? "TARO YAMADA" };
  if ("exp" in fields) typed["exp"] = `${month}/${year.slice(-2)}`;
  else Object.assign(typed, { expMonth: month, expYear: year });
  if (!typed["email"]) typed["email"] = "shopper@example.com";
  return post(action, { ...typed, ...extra });
}
