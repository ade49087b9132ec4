/**
 * The shopper's way through a link form: card form → (3-D Secure challenge) → redirect. Each
 * rendered card form gets a one-time session (form-sessions.ts), so a repeated submit redirects
 * like the first instead of paying twice. Refusals re-render the form with Japanese messages and
 * never echo the card number or the CVV. Returns replies; the routes only write them.
 */
import { ApiError } from "../errors";
import type { SandboxDeps } from "../http/context";
import type { ChargeRecord } from "../state/models";
import { detectBrand } from "../test-cards";
import { echoableFields, parseCardForm, type EchoableFields } from "./card-form-input";
import { failureMessage, refusalMessage } from "./form-error-messages";
import { FormSessions, type FormSession } from "./form-sessions";
import { awaitOutcome, chargeFromForm } from "./link-form-checkout";
import { cardFormPage, messagePage, threeDsPage } from "./link-form-pages";
import { htmlReply, type FormReply, type OpenForm } from "./open-link-form";
import { redirectTarget, withMetadata, type PaymentOutcome } from "./redirect-target";

/** The sandbox issuer's challenge password; anything else fails the charge with 358. */
export const THREE_DS_PASSWORD = "password";

const NO_VALUES: EchoableFields = { cardholder: "", email: "", phoneNumber: "", expMonth: "", expYear: "" };

export class LinkFormFlow {
  private readonly sessions: FormSessions;

  constructor(private readonly deps: SandboxDeps) {
    this.sessions = new FormSessions(() => deps.clock.now());
  }

  /** GET: a fresh card form, prefilled from the query. */
  show(form: OpenForm): FormReply {
    const p = form.params.prefill;
    return this.cardForm(form, 200, [], { ...NO_VALUES, email: p.email, cardholder: p.cardholder, phoneNumber: p.phoneNumber });
  }

  /** POST of the card form. */
  async submitCard(form: OpenForm, body: Readonly<Record<string, string>>, ip: string | null): Promise<FormReply> {
    const found = this.sessions.find(body["nonce"] ?? "", form.formId, form.search);
    if (!found.ok) {
      if (found.why === "other_form") return this.changedForm(form);
      return this.cardForm(form, 400, ["フォームの有効期限が切れました。もう一度入力してください。"], echoableFields(body));
    }
    const session = found.session;
    if (session.phase.kind === "three_ds") return this.challenge(form, session);
    if (session.phase.kind === "charged") return this.finish(form, session.phase.chargeId);
    const echo = echoableFields(body);
    const parsed = parseCardForm(body);
    if (!parsed.ok) return this.cardForm(form, 400, parsed.messages, echo, session);
    const brands = form.params.cardBrands;
    if (brands !== null && !brands.includes(detectBrand(parsed.input.cardNumber))) {
      return this.cardForm(form, 400, ["このカードブランドはご利用いただけません。"], echo, session);
    }
    let charge: ChargeRecord;
    try {
      charge = chargeFromForm(this.deps, form.store, form.params, parsed.input, ip);
    } catch (err) {
      if (err instanceof ApiError) return this.cardForm(form, 400, [refusalMessage(err)], echo, session);
      throw err;
    }
    // Before any await: a concurrent submit of this nonce now finds the charge.
    if (charge.status === "awaiting") {
      session.phase = { kind: "three_ds", chargeId: charge.id };
      return this.challenge(form, session);
    }
    session.phase = { kind: "charged", chargeId: charge.id };
    return this.finish(form, charge.id);
  }

  /** POST of the 3-D Secure challenge: the right password lets the charge go on; anything else fails it. */
  async submitThreeDs(form: OpenForm, body: Readonly<Record<string, string>>): Promise<FormReply> {
    const found = this.sessions.find(body["nonce"] ?? "", form.formId, form.search);
    if (!found.ok) {
      if (found.why === "other_form") return this.changedForm(form);
      const lines = ["認証の有効期限が切れました。最初からお手続きください。"];
      return htmlReply(400, messagePage({ title: "3Dセキュア認証", lines, header: form.header, link: { href: this.formUrl(form), text: "最初からやり直す" } }));
    }
    const session = found.session;
    if (session.phase.kind === "open") return this.cardForm(form, 400, ["先にカード情報を入力してください。"], NO_VALUES, session);
    if (session.phase.kind === "charged") return this.finish(form, session.phase.chargeId);
    const passed = body["action"] !== "cancel" && body["threeDsPassword"] === THREE_DS_PASSWORD;
    this.deps.payments.completeThreeDs(session.phase.chargeId, passed);
    session.phase = { kind: "charged", chargeId: session.phase.chargeId };
    return this.finish(form, session.phase.chargeId);
  }

  /** GET of the cancel link when the form has no failureRedirectUrl. */
  canceled(form: OpenForm): FormReply {
    return htmlReply(200, messagePage({ title: "お支払いをキャンセルしました", lines: ["お支払いは行われていません。"], header: form.header }));
  }

  private cardForm(form: OpenForm, status: number, messages: readonly string[], values: EchoableFields, session?: FormSession): FormReply {
    const s = session ?? this.sessions.open(form.formId, form.search);
    const failure = form.params.redirects.failure;
    const cancelHref =
      failure === undefined ? `${form.path}/cancel?${form.query}` : withMetadata(failure, form.params.showRedirectMetadata ? form.params.metadata : {});
    const html = cardFormPage({ header: form.header, action: this.formUrl(form), nonce: s.nonce, cancelHref, values, phone: form.params.phone, messages });
    return htmlReply(status, html);
  }

  private challenge(form: OpenForm, session: FormSession): FormReply {
    return htmlReply(200, threeDsPage({ header: form.header, action: `${form.path}/three-ds?${form.query}`, nonce: session.nonce }));
  }

  private changedForm(form: OpenForm): FormReply {
    const lines = ["お支払いの内容が、表示したフォームと変わっています。最初からお手続きください。"];
    return htmlReply(
      400,
      messagePage({ title: "フォームの内容が変わりました", lines, header: form.header, link: { href: this.formUrl(form), text: "最初からやり直す" } }),
    );
  }

  /** Waits for the charge's outcome, then redirects to the URL the form gave for it, or shows a result page. */
  private async finish(form: OpenForm, chargeId: string): Promise<FormReply> {
    const charge = this.deps.state.charges.get(chargeId);
    if (!charge) throw new Error(`link form charge ${chargeId} vanished`);
    const outcome = await awaitOutcome(this.deps, charge);
    const target = redirectTarget(form.params, outcome, charge.metadata);
    if (target !== null) return { kind: "redirect", location: target };
    return htmlReply(200, messagePage({ ...resultText(outcome, charge), header: form.header }));
  }

  private formUrl(form: OpenForm): string {
    return `${form.path}?${form.query}`;
  }
}

function resultText(outcome: PaymentOutcome, charge: ChargeRecord): { title: string; lines: string[] } {
  const id = `お支払いID: ${charge.id}`;
  if (outcome === "success") {
    return charge.status === "authorized"
      ? { title: "お支払いを受け付けました", lines: ["与信（仮売上）を確保しました。", id] }
      : { title: "お支払いが完了しました", lines: ["ありがとうございました。", id] };
  }
  if (outcome === "pending") return { title: "お支払いを処理中です", lines: ["結果はショップからのご連絡をお待ちください。", id] };
  if (charge.status === "canceled") return { title: "お支払いはキャンセルされました", lines: [id] };
  return { title: "お支払いに失敗しました", lines: [failureMessage(charge.error), id] };
}
