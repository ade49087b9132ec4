/**
 * One legacy request in, one legacy reply out. Decides nothing itself: decoding, the mapping
 * table and the flows decide; this module only routes between them and renders the answer in
 * the merchant's charset, echoing the merchant's own fields byte-for-byte.
 */
import { echoSegments, withEcho } from "../legacy/legacy-echo";
import { encodeEcho, formatLegacyForm, type LegacyForm } from "../legacy/legacy-form";
import { isEchoedParam, legacyResultFields, requestTotal, type LegacyFailure } from "../mapping";
import type { LegacyCharset } from "../domain/legacy-charset";
import type { LegacyResult } from "../domain/legacy-result";
import type { Mode } from "../domain/mode";
import { creationTransitionId } from "../store/store-types";
import { runTransition } from "../transitions/run-transition";
import type { LegacyEndpoint, LegacyRequest } from "../transitions/legacy-request";
import { decodeLegacyRequest } from "./decode-legacy-request";
import { legacyFailure } from "../mapping";
import type { PaymentDeps } from "../transitions/payment-deps";
import { withinReplayWindow } from "../transitions/replay-window";

export interface LegacyReply {
  /** ASCII body: urlencoded fields, percent-encoded in `charset`. */
  readonly body: string;
  readonly charset: LegacyCharset;
  readonly result: LegacyResult;
  readonly sid: string | undefined;
  /** Set when the request was refused; the route logs one WARN line with it. */
  readonly failures?: readonly LegacyFailure[];
}

export async function handleLegacyRequest(deps: PaymentDeps, endpoint: LegacyEndpoint, raw: Buffer, sourceIp: string): Promise<LegacyReply> {
  const decoded = decodeLegacyRequest(deps, endpoint, raw, sourceIp);
  if (!decoded.ok) {
    const mode: Mode = decoded.merchant?.mode ?? "live";
    const result = failureResult(deps, decoded.failure, decoded.form, decoded.form?.get("job")?.toUpperCase(), mode, decoded.form?.get("pid"));
    return render(deps, result, decoded.charset, echoOf(deps, decoded.form), decoded.merchant?.sid, [decoded.failure]);
  }
  const { req } = decoded;
  // Encoded once when the request was read (it is also what is stored for the kickbacks).
  const echo = req.echo;
  // Never act for a merchant whose credentials UnivaPay has not accepted (a wrong mode would
  // answer ap=TestMode for real money) — but a repeat of a request already made is answered from
  // what is stored: refusing it would tell the merchant "failed" about money that moved.
  const status = deps.merchants.status(req.merchant.sid);
  if (status.state !== "verified") {
    const stored = await storedResult(deps, req);
    if (stored) return render(deps, stored, req.form.charset, echo, req.merchant.sid);
    const key = status.state === "rejected" ? "merchant_unavailable" : "upstream_unavailable";
    const refusal = legacyFailure(deps.table, key, `merchant ${status.state}: ${status.reason}`);
    return render(deps, failureResult(deps, refusal, req.form, req.op.job, req.merchant.mode), req.form.charset, echo, req.merchant.sid, [refusal]);
  }
  // Checked at start (KindRegistry.assertCovers): every row of the table has its kind.
  const kind = deps.kinds.forAction(req.op.action);
  if (!kind) throw new Error(`no transition kind serves action ${req.op.action}`);
  const answer = kind.answer ? await kind.answer(deps, req) : await runTransition(deps, kind, req);
  if (answer.ok) return render(deps, answer.result, req.form.charset, echo, req.merchant.sid);
  const first = answer.failures[0];
  if (!first) throw new Error("a refused request carries at least one failure");
  const pid = "pid" in answer && typeof answer.pid === "string" ? answer.pid : undefined;
  const result = failureResult(deps, first, req.form, req.op.job, req.merchant.mode, pid);
  return render(deps, result, req.form.charset, echo, req.merchant.sid, answer.failures);
}

/** The stored outcome of this very request (by its key, or its pre-HMAC key), if it was made:
 *  a transition it asked for, or the payment it created (whose key the payment holds). */
async function storedResult(deps: PaymentDeps, req: LegacyRequest): Promise<LegacyResult | undefined> {
  const keys = [req.requestKey, ...req.priorKeys];
  for (const key of keys) {
    const asked = await deps.store.findTransitionByRequestKey(req.merchant.sid, key);
    const created = asked ? undefined : await deps.store.findPaymentByRequestKey(req.merchant.sid, key);
    const transition = asked ?? (created && (await deps.store.findTransition(creationTransitionId(created.pid))));
    const payment = created ?? (asked && (await deps.store.findPaymentByPid(asked.pid)));
    const kind = transition && deps.kinds.get(transition.kind);
    if (transition && payment && kind && withinReplayWindow(deps, req.merchant, transition.createdAt)) return kind.reply(deps.table, { payment, transition });
  }
  return undefined;
}

/**
 * A refusal still says what was refused: the request's job, sod and total (when readable), and
 * the pid only when the request named one (a SALES/CANCEL) — never a pid for a payment that was
 * not made.
 */
function failureResult(
  deps: Pick<PaymentDeps, "table" | "now">,
  f: LegacyFailure,
  form: LegacyForm | undefined,
  job: string | undefined,
  mode: Mode,
  pid?: string,
): LegacyResult {
  const total = form ? requestTotal(deps.table, form, { now: deps.now() }) : null;
  return { outcome: "failure", ec: f.ec, pid: pid || null, job: job ?? "", sod: form?.get("sod") ?? null, total, mode };
}

/** The merchant's own fields of a request refused before it was read in full, encoded for echo. */
function echoOf(deps: PaymentDeps, form: LegacyForm | undefined): string {
  return form ? encodeEcho(form.fields.filter((f) => isEchoedParam(deps.table, f.name))) : "";
}

function render(
  deps: Pick<PaymentDeps, "table">,
  result: LegacyResult,
  charset: LegacyCharset,
  echo: string,
  sid: string | undefined,
  failures?: readonly LegacyFailure[],
): LegacyReply {
  const body = withEcho(formatLegacyForm(legacyResultFields(deps.table, "reply", result), charset), echoSegments(echo));
  return { body, charset, result, sid, ...(failures ? { failures } : {}) };
}

/** A reply for a request refused before it could be decoded (e.g. too large). */
export function refuseLegacyRequest(deps: Pick<PaymentDeps, "table">, failure: LegacyFailure): LegacyReply {
  const result: LegacyResult = { outcome: "failure", ec: failure.ec, pid: null, job: "", sod: null, total: null, mode: "live" };
  return render(deps, result, "UTF-8", "", undefined, [failure]);
}
