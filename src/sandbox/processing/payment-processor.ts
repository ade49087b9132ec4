/**
 * The simulated acquirer: creates charges, captures, cancels and refunds in `pending`, then settles
 * them on the sandbox clock (settleDelayMs later) per the test-card table, firing the §4.2 events.
 * It owns every state transition of these resources; routes only validate input and render output.
 * After a restart from a state file, resumeAfterLoad() re-arms what loaded records were waiting for.
 * Link-form charges may first wait `awaiting` for the shopper's 3-D Secure answer (completeThreeDs).
 */
import { type ApiError, badRequest, notFound, validationError } from "../errors";
import { newId } from "../ids";
import { cancelError, captureError, refundError, settleCancel, settleCharge, settleRefund, tokenChargeError } from "../state/charge-rules";
import type { CancelRecord, ChargeRecord, Metadata, RefundRecord, ThreeDsMode, TokenRecord } from "../state/models";
import { payerOf } from "../state/payer-of";
import { fractionDigits, renderCancel, renderCharge, renderRefund, renderToken } from "../state/render";
import { ofStore } from "../state/sandbox-state";
import { cardBehaviour } from "../test-cards";
import type { ChargeCreate, RefundCreate } from "../schemas/charge-schemas";
import { ChargeAdmission, type MoneySpec } from "./charge-admission";
import type { EngineDeps } from "./engine-deps";

interface NewChargeSpec {
  readonly amount: number;
  readonly currency: string;
  readonly capture: boolean;
  readonly captureAt: number | null;
  readonly metadata: Metadata;
  readonly isCvvAuth?: boolean;
  readonly subscriptionId?: string;
}

/** Seam for the subscription engine: one charge of a subscription cycle. */
export interface SubscriptionChargeRequest {
  readonly subscriptionId: string;
  readonly amount: number;
  readonly currency: string;
  readonly metadata: Metadata;
  /** false = authorization only (first_charge_authorization_only). */
  readonly capture: boolean;
}

const DUPLICATE_CHARGE_ERROR = { code: 311, message: "Too many charges on the same card in a short time", details: "TOO_MANY_CHARGE_REQUESTS" } as const;

/** univapay-node maps payment error 358 to THREE_DS_COULD_NOT_BE_COMPLETED (the doc's table stops at 355). */
export const THREE_DS_NOT_COMPLETED_ERROR = {
  code: 358,
  message: "3-D Secure authentication could not be completed",
  details: "THREE_DS_COULD_NOT_BE_COMPLETED",
} as const;

/** How long a charge waits `awaiting` for the shopper's 3-D Secure answer before it fails with 358 [INFERRED]. */
export const THREE_DS_WINDOW_MS = 15 * 60 * 1000;

/** What the link form adds to a charge beyond the API's body (the API itself takes no three_ds). */
export interface HostedChargeOptions {
  /** `challenge` true: the charge stays `awaiting` until completeThreeDs (or THREE_DS_WINDOW_MS passes). */
  readonly threeDs?: { readonly mode: ThreeDsMode; readonly challenge: boolean };
}

/** Largest charge in major currency units [INFERRED store maximum]. */
const MAX_CHARGE_MAJOR_UNITS = 9_999_999;

export class PaymentProcessor {
  private readonly admission: ChargeAdmission;
  private readonly settledListeners = new Map<string, (charge: ChargeRecord) => void>();
  constructor(private readonly deps: EngineDeps) {
    this.admission = new ChargeAdmission(deps);
  }

  createCharge(storeId: string, body: ChargeCreate, hosted: HostedChargeOptions = {}): ChargeRecord {
    const now = this.deps.clock.now();
    const token = this.deps.state.tokens.get(body.transaction_token_id);
    if (!token) throw notFound();
    if (token.storeId !== storeId) throw badRequest("TOKEN_FOR_WRONG_STORE");
    const tokenError = tokenChargeError(token, now);
    if (tokenError) throw tokenError;
    const captureAt = this.captureAt(body, now);
    if (body.amount > MAX_CHARGE_MAJOR_UNITS * 10 ** fractionDigits(body.currency)) throw badRequest("CHARGE_AMOUNT_TOO_HIGH");
    const asFailed311 = this.admission.admitOneOff(token, body, now);
    const charge = this.newCharge(
      token,
      { amount: body.amount, currency: body.currency, capture: body.capture, captureAt, metadata: body.metadata ?? {} },
      now,
    );
    if (asFailed311) charge.forcedError = DUPLICATE_CHARGE_ERROR;
    charge.descriptor = body.descriptor ?? null;
    token.lastUsedAt = now;
    if (token.type === "one_time") token.active = false;
    this.deps.state.changed(token.id);
    if (hosted.threeDs) charge.threeDs = { mode: hosted.threeDs.mode, status: hosted.threeDs.challenge ? "awaiting" : null };
    if (charge.threeDs?.status === "awaiting") {
      charge.status = "awaiting";
      charge.pendingOp = null;
      this.settleAt(now + THREE_DS_WINDOW_MS, () => this.completeThreeDs(charge.id, false));
    } else {
      this.settleLater(() => this.settleCharge(charge.id));
    }
    return charge;
  }

  /**
   * The shopper's answer to a charge's 3-D Secure challenge: passed, the charge goes on to the
   * (simulated) acquirer and settles by its card as usual; failed or abandoned, it settles failed
   * with 358. A charge no longer awaiting (answered, expired, or being canceled) is left alone.
   */
  completeThreeDs(chargeId: string, passed: boolean): void {
    const charge = this.deps.state.charges.get(chargeId);
    if (!charge || charge.status !== "awaiting" || charge.threeDs?.status !== "awaiting" || charge.cancelPending) return;
    charge.threeDs.status = passed ? "successful" : "failed";
    if (!passed) charge.forcedError = THREE_DS_NOT_COMPLETED_ERROR;
    charge.status = "pending";
    charge.pendingOp = "create";
    charge.updatedAt = this.deps.clock.now();
    this.deps.state.touch(charge.id);
    this.settleLater(() => this.settleCharge(charge.id));
  }

  /** The 1-yen (1 minor unit) authorization of data.cvv_authorize; never fires charge_* events. */
  startCvvAuthorization(token: TokenRecord, currency: string): void {
    const now = this.deps.clock.now();
    this.admission.recordCvvAuthorization(token, now);
    const charge = this.newCharge(token, { amount: 1, currency, capture: false, captureAt: null, metadata: {}, isCvvAuth: true }, now);
    token.cvvAuthorize = { enabled: true, status: "pending", chargeId: charge.id, currency };
    this.deps.state.changed(token.id);
    this.settleLater(() => this.settleCharge(charge.id));
  }

  /**
   * Charges a subscription cycle on a recurring/subscription token, bypassing the one-off token
   * rules. `onSettled` runs each time it leaves pending (authorized, then captured) and when a
   * cancel voids it. Subscription charges fire no charge_* events:
   * the subscription engine reports them with subscription_* events (§4.2). One that breaks the
   * 30-s rule of §1.6 settles failed with 311: no request waits for it.
   */
  chargeForSubscription(token: TokenRecord, req: SubscriptionChargeRequest, onSettled: (charge: ChargeRecord) => void): ChargeRecord {
    const now = this.deps.clock.now();
    const tooQuick = this.admission.admitSubscriptionCharge(token, req, now);
    const charge = this.newCharge(token, { ...req, captureAt: null }, now);
    if (tooQuick) charge.forcedError = DUPLICATE_CHARGE_ERROR;
    token.lastUsedAt = now;
    if (token.type === "subscription") token.active = false;
    this.deps.state.changed(token.id);
    this.settledListeners.set(charge.id, onSettled);
    this.settleLater(() => this.settleCharge(charge.id));
    return charge;
  }

  /**
   * After a restart: the subscription engine re-attaches its listener to a loaded subscription
   * charge that is still pending or authorized (the closure given to chargeForSubscription is gone).
   */
  watchSubscriptionCharge(chargeId: string, onSettled: (charge: ChargeRecord) => void): void {
    this.settledListeners.set(chargeId, onSettled);
  }

  /**
   * After a restart from a state file: rebuilds the admission rules' memory from the loaded charges
   * and re-schedules every settlement, capture and capture_at that was waiting, at the instant it
   * was due (one that fell due while the process was down runs right away), as if the process had
   * only been down. Runs once, before the sandbox serves requests.
   */
  resumeAfterLoad(): void {
    const { state, options } = this.deps;
    for (const charge of state.charges.values()) {
      this.admission.replay(charge);
      // updatedAt is when the create or the capture started (settlement = that + settleDelayMs).
      if (charge.status === "pending") this.settleAt(charge.updatedAt + options.settleDelayMs, () => this.settleCharge(charge.id));
      else if (charge.status === "authorized" && charge.captureAt !== null) this.scheduleAutoCapture(charge);
      else if (charge.status === "awaiting" && charge.threeDs?.status === "awaiting") {
        // The shopper's challenge page died with the process; the charge still expires on time.
        this.settleAt(charge.createdAt + THREE_DS_WINDOW_MS, () => this.completeThreeDs(charge.id, false));
      }
    }
    for (const cancel of state.cancels.values()) {
      if (cancel.status === "pending") this.settleAt(cancel.createdAt + options.settleDelayMs, () => this.settleCancel(cancel.id));
    }
    for (const refund of state.refunds.values()) {
      if (refund.status === "pending") this.settleAt(refund.createdAt + options.settleDelayMs, () => this.settleRefund(refund.id));
    }
  }

  /** Checks of POST /subscriptions that the first charge needs (null = registration only). */
  subscriptionCreateError(token: TokenRecord, firstCharge: MoneySpec | null): ApiError | null {
    return this.admission.subscriptionCreateError(token, firstCharge, this.deps.clock.now());
  }

  capture(charge: ChargeRecord, amount: number, currency: string): void {
    const err = captureError(charge, amount, currency);
    if (err) throw err;
    this.startCapture(charge, amount);
  }

  createCancel(charge: ChargeRecord, metadata: Metadata): CancelRecord {
    const err = cancelError(charge);
    if (err) throw err;
    const now = this.deps.clock.now();
    const cancel: CancelRecord = {
      id: newId(),
      seq: this.deps.state.nextSeq(),
      storeId: charge.storeId,
      chargeId: charge.id,
      status: "pending",
      error: null,
      metadata,
      mode: charge.mode,
      createdAt: now,
    };
    this.deps.state.cancels.set(cancel.id, cancel);
    charge.cancelPending = true;
    this.deps.state.changed(charge.id);
    this.settleLater(() => this.settleCancel(cancel.id));
    return cancel;
  }

  createRefund(charge: ChargeRecord, body: RefundCreate): RefundRecord {
    // §6: a test-mode recurring token removed after its month takes its charges' refunds with it.
    if (this.deps.state.purgedTokenIds.has(charge.tokenId)) throw badRequest("REFUND_NOT_ALLOWED");
    const refunds = ofStore(this.deps.state.refunds, charge.storeId).filter((r) => r.chargeId === charge.id);
    const err = refundError(charge, refunds, body.amount, body.currency);
    if (err) throw err;
    const refund: RefundRecord = {
      id: newId(),
      seq: this.deps.state.nextSeq(),
      storeId: charge.storeId,
      chargeId: charge.id,
      status: "pending",
      amount: body.amount,
      currency: body.currency,
      reason: body.reason ?? null,
      message: body.message ?? null,
      error: null,
      metadata: body.metadata ?? {},
      mode: charge.mode,
      createdAt: this.deps.clock.now(),
    };
    this.deps.state.refunds.set(refund.id, refund);
    this.settleLater(() => this.settleRefund(refund.id));
    return refund;
  }

  private captureAt(body: ChargeCreate, now: number): number | null {
    if (body.capture_at === undefined) return null;
    if (body.capture) throw validationError([{ field: "capture_at", reason: "FORBIDDEN_PARAMETER" }]);
    const at = Date.parse(body.capture_at);
    if (at <= now) throw validationError([{ field: "capture_at", reason: "MUST_BE_FUTURE_TIME" }]);
    return at;
  }

  private newCharge(token: TokenRecord, spec: NewChargeSpec, now: number): ChargeRecord {
    const charge: ChargeRecord = {
      id: newId(),
      seq: this.deps.state.nextSeq(),
      storeId: token.storeId,
      merchantId: token.merchantId,
      tokenId: token.id,
      tokenType: token.type,
      subscriptionId: spec.subscriptionId ?? null,
      requestedAmount: spec.amount,
      requestedCurrency: spec.currency,
      chargedAmount: null,
      chargedCurrency: null,
      capture: spec.capture,
      captureAt: spec.captureAt,
      status: "pending",
      error: null,
      metadata: spec.metadata,
      mode: token.mode,
      descriptor: null,
      onlyDirectCurrency: false,
      createdAt: now,
      updatedAt: now,
      authorizedAmount: null,
      isCvvAuth: spec.isCvvAuth ?? false,
      pendingOp: "create",
      cancelPending: false,
      card: cardBehaviour(token.card.number, token.mode),
      payer: payerOf(token),
    };
    this.deps.state.addCharge(charge);
    return charge;
  }

  private settleLater(task: () => void): void {
    this.deps.clock.schedule(this.deps.clock.now() + this.deps.options.settleDelayMs, task);
  }

  private settleAt(at: number, task: () => void): void {
    this.deps.clock.schedule(Math.max(at, this.deps.clock.now()), task);
  }

  private startCapture(charge: ChargeRecord, amount: number): void {
    charge.status = "pending";
    charge.pendingOp = "capture";
    charge.chargedAmount = amount;
    charge.updatedAt = this.deps.clock.now();
    this.deps.state.touch(charge.id);
    this.settleLater(() => this.settleCharge(charge.id));
  }

  private settleCharge(id: string): void {
    const charge = this.deps.state.charges.get(id);
    if (!charge || charge.status !== "pending") return;
    const s = settleCharge(charge, charge.card);
    charge.status = s.status;
    charge.error = s.error;
    charge.chargedAmount = s.chargedAmount;
    charge.chargedCurrency = charge.requestedCurrency;
    if (s.status === "authorized") charge.authorizedAmount = s.chargedAmount;
    charge.pendingOp = null;
    charge.updatedAt = this.deps.clock.now();
    this.deps.state.touch(charge.id);
    this.admission.recordSettlement(charge);
    if (charge.isCvvAuth) return this.finishCvvAuthorization(charge);
    const listener = this.settledListeners.get(charge.id);
    if (listener) {
      if (s.status !== "authorized") this.settledListeners.delete(charge.id);
      return listener(charge);
    }
    this.emit(charge.storeId, s.status === "authorized" ? "charge_updated" : "charge_finished", renderCharge(charge));
    if (s.status === "authorized" && charge.captureAt !== null) this.scheduleAutoCapture(charge);
  }

  /** capture_at: captures the whole authorized amount at that instant (or at once if already past). */
  private scheduleAutoCapture(charge: ChargeRecord): void {
    const at = Math.max(charge.captureAt ?? 0, this.deps.clock.now());
    this.deps.clock.schedule(at, () => {
      if (charge.status === "authorized" && !charge.cancelPending) this.startCapture(charge, charge.authorizedAmount ?? charge.requestedAmount);
    });
  }

  private finishCvvAuthorization(charge: ChargeRecord): void {
    const token = this.deps.state.tokens.get(charge.tokenId);
    if (!token || token.cvvAuthorize.chargeId !== charge.id) return;
    token.cvvAuthorize = { ...token.cvvAuthorize, status: charge.status === "authorized" ? "current" : "failed" };
    token.updatedAt = this.deps.clock.now();
    this.deps.state.touch(token.id);
    this.emit(token.storeId, "token_cvv_auth_updated", renderToken(token));
  }

  private settleCancel(id: string): void {
    const cancel = this.deps.state.cancels.get(id);
    const charge = cancel && this.deps.state.charges.get(cancel.chargeId);
    if (!cancel || !charge || cancel.status !== "pending") return;
    const s = settleCancel(charge.card);
    cancel.status = s.status;
    cancel.error = s.error;
    charge.cancelPending = false;
    this.deps.state.changed(charge.id);
    this.deps.state.touch(cancel.id);
    this.emit(cancel.storeId, "cancel_finished", renderCancel(cancel));
    if (s.status !== "successful") return;
    charge.status = "canceled";
    charge.updatedAt = this.deps.clock.now();
    this.deps.state.touch(charge.id);
    // A voided auth-only first charge of a subscription is reported by the subscription (I12).
    const listener = this.settledListeners.get(charge.id);
    if (listener) {
      this.settledListeners.delete(charge.id);
      return listener(charge);
    }
    this.emit(charge.storeId, "charge_finished", renderCharge(charge));
  }

  private settleRefund(id: string): void {
    const refund = this.deps.state.refunds.get(id);
    const charge = refund && this.deps.state.charges.get(refund.chargeId);
    if (!refund || !charge || refund.status !== "pending") return;
    const s = settleRefund(charge.card);
    refund.status = s.status;
    refund.error = s.error;
    this.deps.state.touch(refund.id);
    this.emit(refund.storeId, "refund_finished", renderRefund(refund));
  }

  private emit(storeId: string, event: string, data: Record<string, unknown>): void {
    this.deps.sender.emit(storeId, event, data);
  }
}
