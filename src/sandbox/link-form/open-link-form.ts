/**
 * Resolves `/forms/{formId}?appId=…&…` to a form: the store whose link form id it is, the appId
 * checked as the API checks a secretless `Bearer {jwt}` (signature, not revoked) and required to
 * be that store's, then the parameters. Every refusal is a Japanese page: 404 for an unknown form
 * or a foreign/invalid appId (one answer for both, as a form id alone proves nothing), 400 for
 * missing or malformed parameters.
 */
import { authenticate } from "../auth/credentials";
import { ApiError } from "../errors";
import type { SandboxDeps } from "../http/context";
import type { StoreRecord } from "../state/models";
import { storeOfLinkForm } from "./link-form-id";
import { messagePage, type FormHeader } from "./link-form-pages";
import { parseLinkFormParams, type LinkFormParams } from "./link-form-params";

export interface OpenForm {
  readonly store: StoreRecord;
  readonly formId: string;
  /** `/forms/{formId}`, the base of the form's own links. */
  readonly path: string;
  /** The query exactly as received, carried into every action and link of the form. */
  readonly query: string;
  readonly search: URLSearchParams;
  readonly params: LinkFormParams;
  readonly header: FormHeader;
}

export interface HtmlReply {
  readonly kind: "page";
  readonly status: number;
  readonly html: string;
}

export type FormReply = HtmlReply | { readonly kind: "redirect"; readonly location: string };

export function htmlReply(status: number, html: string): HtmlReply {
  return { kind: "page", status, html };
}

export type Opened = { readonly ok: true; readonly form: OpenForm } | { readonly ok: false; readonly reply: HtmlReply };

const NOT_FOUND = htmlReply(
  404,
  messagePage({
    title: "フォームが見つかりません",
    lines: ["URL のフォームIDが存在しないか、アプリケーションID（appId）がこのフォームの店舗のものではありません。", "URL をご確認ください。"],
  }),
);

export function openLinkForm(deps: SandboxDeps, formId: string, query: string): Opened {
  const store = storeOfLinkForm(deps.state.stores.values(), formId);
  if (!store) return { ok: false, reply: NOT_FOUND };
  const search = new URLSearchParams(query);
  const appIds = search.getAll("appId");
  if (appIds.length !== 1 || appIds[0] === "") return refused(400, ["appId（アプリケーションID）を1つ指定してください。"]);
  const auth = authenticate(`Bearer ${appIds[0]}`, deps.jwtKey, (jti) => deps.state.appTokens.get(jti)?.secret);
  // A secret in a URL would leak it: the form takes the bare app token only.
  if (auth instanceof ApiError || auth.hasSecret || auth.storeId !== store.id) return { ok: false, reply: NOT_FOUND };
  const parsed = parseLinkFormParams(search);
  if (!parsed.ok) return refused(400, parsed.problems);
  const p = parsed.params;
  return {
    ok: true,
    form: {
      store,
      formId: formId.toLowerCase(),
      path: `/forms/${encodeURIComponent(formId)}`,
      query,
      search,
      params: p,
      header: { storeName: store.name, testMode: store.mode === "test", amount: p.amount, currency: p.currency, capture: p.capture },
    },
  };
}

function refused(status: number, problems: readonly string[]): Opened {
  return { ok: false, reply: htmlReply(status, messagePage({ title: "リンクフォームのパラメータが正しくありません", lines: problems })) };
}
