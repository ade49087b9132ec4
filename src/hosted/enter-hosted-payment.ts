/**
 * The link method's entry: payment.aspx ptype 3/4/8 from the shopper's browser (a 302 from the
 * shop, window.open, a GET form). In the old gateway's order — who sent the shopper (sid, 送信元URL)
 * before what was sent — then the request is read like any other, its payment recorded, and the
 * browser sent on to the merchant's UnivaPay link form. Every refusal is a shopper-facing page
 * with the legacy error code; nothing is charged and nothing is stored for a refused request.
 */
import { peekAsciiParam, readLegacyForm } from "../legacy/legacy-form";
import { legacyFailure, type LegacyFailure } from "../mapping";
import { decodeLegacyRequest } from "../payments/decode-legacy-request";
import { addressKey } from "../token/token-rate-limiter";
import { hostedChargeKind } from "../transitions/kinds/hosted-charge-kind";
import type { BrowserReply } from "./browser-answer";
import type { HostedDeps } from "./hosted-deps";
import { linkFormUrl } from "./link-form-url";
import { checkReferer } from "./referer-check";
import { returnPath } from "./return-link";
import { shopperPage, type ShopperPageKind } from "./shopper-page";

/** Refusals that mean "not offered here" rather than "the shop sent it wrong". */
const UNAVAILABLE = new Set<LegacyFailure["key"]>([
  "svid_unsupported",
  "hosted_not_configured",
  "recurring_not_supported",
  "merchant_unavailable",
  "upstream_unavailable",
]);

function refuse(f: LegacyFailure, sid: string | undefined, pid?: string): BrowserReply {
  const kind: ShopperPageKind = UNAVAILABLE.has(f.key) ? "unavailable" : "rejected";
  return {
    answer: { type: "page", page: shopperPage(kind, { ec: f.ec }) },
    log: { outcome: "refused", ec: f.ec, reason: `${f.key}: ${f.message}`, ...(sid ? { sid } : {}), ...(pid ? { pid } : {}) },
  };
}

const busy = (sid: string | undefined, reason: string): BrowserReply => ({
  answer: { type: "page", page: shopperPage("busy") },
  log: { outcome: "refused", reason, ...(sid ? { sid } : {}) },
});

export async function enterHostedPayment(deps: HostedDeps, raw: Buffer, referer: string | undefined, clientIp: string): Promise<BrowserReply> {
  const { table } = deps;
  if (!deps.perIp.take(addressKey(clientIp))) return busy(undefined, "rate limit per client address");
  const split = readLegacyForm(raw);
  const sid = peekAsciiParam(split, "sid");
  if (!sid) return refuse(legacyFailure(table, "sid_missing", "sid is missing"), undefined);
  const merchant = deps.merchants.get(sid);
  if (!merchant) return refuse(legacyFailure(table, "sid_unknown", `unknown sid ${sid}`), undefined);
  const settings = merchant.hostedPage;
  const publicUrl = deps.publicUrl();
  if (!settings || !publicUrl) return refuse(legacyFailure(table, "hosted_not_configured", settings ? "PUBLIC_URL is not set" : "no hostedPage"), sid);
  // Counted once the shop is known and before anything is stored: a flood of one shop's sid
  // neither fills the store nor spends its UnivaPay budget.
  if (!deps.perSid.take(sid)) return busy(sid, "rate limit per merchant");
  const verdict = checkReferer(settings, referer);
  if (verdict !== "ok") {
    const shown = referer ? (URL.canParse(referer) ? new URL(referer).origin : "unparsable") : "none";
    return refuse(legacyFailure(table, "referer_denied", `Referer ${verdict} (${shown})`), sid);
  }
  // A service the link form is not mapped for yet (Alipay, konbini, …): "not available", before
  // the job is judged (their jobs, REQUEST or EBPRERENTAL, have no rows either).
  const svid = peekAsciiParam(split, "svid");
  if (svid && !table.services.paymentTypes.has(svid)) return refuse(legacyFailure(table, "svid_unsupported", `svid ${svid} is not mapped`, "svid"), sid);
  const decoded = decodeLegacyRequest(deps, "payment", raw, null);
  if (!decoded.ok) return refuse(decoded.failure, sid);
  const { req } = decoded;
  if (req.op.row.channel !== "browser" || req.op.action !== hostedChargeKind.actions[0]) {
    return refuse(legacyFailure(table, "ptype_unsupported", `job ${req.op.job} is not a link-method job`, "ptype"), sid);
  }
  const status = deps.merchants.status(sid);
  if (status.state !== "verified") {
    const key = status.state === "rejected" ? "merchant_unavailable" : "upstream_unavailable";
    return refuse(legacyFailure(table, key, `merchant ${status.state}: ${status.reason}`), sid);
  }
  const opened = await hostedChargeKind.open(deps, req);
  if (!opened.ok) return refuse(opened.failures[0] ?? legacyFailure(table, "internal", "no failure"), sid, opened.pid);
  const { payment, transition, plan } = opened.opened;
  const sucd = req.form.get("sucd") || undefined;
  // Appended, so a PUBLIC_URL with a path (behind a proxy's prefix) keeps it.
  const back = `${publicUrl.replace(/\/+$/, "")}${returnPath(deps.requestKeySecret, payment.pid, sucd)}`;
  if (transition.state !== "requested" && transition.state !== "pending") {
    // Sent again after it was paid (a reload of the shop's redirect): the result, not a second form.
    return { answer: { type: "redirect", location: back, status: 302 }, log: { sid, pid: payment.pid, outcome: "already_finished" } };
  }
  const location = linkFormUrl({
    checkoutUrl: deps.checkoutUrl,
    settings,
    form: plan.form,
    paymentMethod: req.op.paymentType ?? "card",
    capture: req.op.row.capture === true,
    threeDs: req.op.row.threeDs,
    returnUrl: back,
  });
  return { answer: { type: "redirect", location, status: 302 }, log: { sid, pid: payment.pid, outcome: "sent_to_form" } };
}
