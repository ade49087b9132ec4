/**
 * Runs the pure subscription engine (src/sandbox/subscriptions) inside the sandbox: keeps each
 * subscription's state, checks tokens, turns engine actions into real charges through the
 * PaymentProcessor (so test cards decide the outcome), feeds settlements back, fires the
 * subscription_* webhooks with the subscription object, and keeps one sandbox-clock timer per
 * subscription at its next run time. The states themselves live in SandboxState.subscriptions (so
 * a state file keeps them); after a restart resumeAfterLoad() re-attaches what was in flight.
 * Routes only parse input and render output.
 */
import { notFound } from "../errors";
import { newId } from "../ids";
import type { ChargeRecord, Metadata, TokenRecord } from "../state/models";
import { ofStore } from "../state/sandbox-state";
import {
  advanceSubscription,
  applyChargeResult,
  cancelSubscription,
  createSubscription,
  nextWakeAt,
  patchSubscription,
  toApiObject,
  updateScheduledPayment,
  type ChargeResult,
  type EngineAction,
  type SubscriptionEvent,
  type SubscriptionState,
  type SubscriptionStatus,
} from "../subscriptions";
import type { EngineDeps } from "./engine-deps";
import type { PaymentProcessor } from "./payment-processor";
import { rejectionToApiError } from "./rejection-to-api-error";
import { subscriptionTokenError, type SubscriptionTokenUse } from "./subscription-token-rules";

export interface SubscriptionServiceDeps extends Pick<EngineDeps, "state" | "clock" | "sender" | "logger"> {
  readonly payments: PaymentProcessor;
  /** Aborted by Sandbox.close(): ends waits for a pending CVV authorization. */
  readonly shutdown: AbortSignal;
}

export interface SubscriptionServiceOptions {
  /** Store setting "retry count", including the first attempt (default 3, §7). */
  readonly retryCount?: number;
}

type ChargeAction = Extract<EngineAction, { kind: "charge" }>;

const DAY_MS = 86_400_000;
const ENDED: ReadonlySet<SubscriptionStatus> = new Set(["canceled", "completed", "unconfirmed"]);

export class SubscriptionService {
  /** Subscription id → cancel function of its next-run timer. */
  private readonly wakes = new Map<string, () => void>();
  private stopped = false;

  constructor(
    private readonly deps: SubscriptionServiceDeps,
    private readonly options: SubscriptionServiceOptions = {},
  ) {}

  create(store: { storeId: string; mode: "test" | "live" }, body: unknown): SubscriptionState {
    const now = this.now();
    const r = createSubscription(body, { id: newId(), storeId: store.storeId, mode: store.mode, now, retryCount: this.options.retryCount });
    if (!r.ok) throw rejectionToApiError(r);
    const use: SubscriptionTokenUse = r.actions.some((a) => a.kind === "verify_card") ? "verify" : "charge";
    const token = this.checkedToken(r.sub.transactionTokenId, store.storeId, use, now);
    const first = r.actions.find((a): a is ChargeAction => a.kind === "charge") ?? null;
    const refused = this.deps.payments.subscriptionCreateError(token, first);
    if (refused) throw refused;
    // A subscription token is single-use: using it lifts the one-active-token-per-card block (§2.1).
    if (token.type === "subscription") {
      token.active = false;
      this.deps.state.changed(token.id);
    }
    this.commit(r.sub, r.events, r.actions);
    return this.current(r.sub.id);
  }

  get(storeId: string, id: string): SubscriptionState {
    const s = this.deps.state.subscriptions.get(id);
    if (!s || s.storeId !== storeId) throw notFound();
    return s;
  }

  /**
   * True while a subscription that can still charge (not canceled, completed or unconfirmed) has
   * this as its current token: DELETE of such a recurring token is refused (SDK code
   * ONGOING_SUBSCRIPTIONS_EXIST_FOR_TOKEN).
   */
  isTokenInUse(tokenId: string): boolean {
    for (const state of this.deps.state.subscriptions.values()) {
      if (state.transactionTokenId === tokenId && !ENDED.has(state.status)) return true;
    }
    return false;
  }

  /** Oldest first, as `paginate` expects. */
  list(storeId: string): SubscriptionState[] {
    return ofStore(this.deps.state.subscriptions, storeId);
  }

  patch(storeId: string, id: string, body: unknown): SubscriptionState {
    const before = this.get(storeId, id);
    const r = patchSubscription(before, body, this.now());
    if (!r.ok) throw rejectionToApiError(r);
    if (r.sub.transactionTokenId !== before.transactionTokenId) {
      const token = this.checkedToken(r.sub.transactionTokenId, storeId, "change", this.now());
      if (token.type === "subscription") {
        token.active = false;
        this.deps.state.changed(token.id);
      }
    }
    this.commit(r.sub, r.events, []);
    return this.current(id);
  }

  cancel(storeId: string, id: string): void {
    const r = cancelSubscription(this.get(storeId, id), this.now());
    if (!r.ok) throw rejectionToApiError(r);
    this.commit(r.sub, r.events, []);
  }

  updatePayment(storeId: string, id: string, paymentId: string, body: unknown): SubscriptionState {
    const r = updateScheduledPayment(this.get(storeId, id), paymentId, body, this.now());
    if (!r.ok) throw rejectionToApiError(r);
    this.commit(r.sub, [], []);
    return this.current(id);
  }

  /** The subscription's charges in creation order, optionally only those of one scheduled payment. */
  charges(storeId: string, id: string, paymentId?: string): ChargeRecord[] {
    const sub = this.get(storeId, id);
    return ofStore(this.deps.state.charges, storeId).filter(
      (c) => c.subscriptionId === sub.id && (paymentId === undefined || this.deps.state.paymentOfCharge.get(c.id) === paymentId),
    );
  }

  /**
   * After a restart from a state file, before requests are served: re-attaches the settlement
   * listener of every subscription charge still pending or authorized (PaymentProcessor re-schedules
   * the settlement itself), re-schedules a first_charge_capture_after capture, re-runs what an
   * in-flight payment without such a charge was waiting for (a card check, or the failure of a
   * deleted token), and re-arms each subscription's next run (one due while down runs at once).
   */
  resumeAfterLoad(): void {
    const { state } = this.deps;
    const liveCharges = new Set<string>();
    for (const [chargeId, paymentId] of state.paymentOfCharge) {
      const charge = state.charges.get(chargeId);
      const sub = charge?.subscriptionId ? state.subscriptions.get(charge.subscriptionId) : undefined;
      if (!charge || !sub || (charge.status !== "pending" && charge.status !== "authorized")) continue;
      const payment = sub.payments.find((p) => p.id === paymentId);
      const captureAfter = payment?.index === 0 ? sub.firstChargeCaptureAfter : null;
      liveCharges.add(paymentId);
      this.deps.payments.watchSubscriptionCharge(chargeId, (c) => this.onChargeSettled(sub.id, paymentId, captureAfter, c));
      const authorizedAt = payment?.attempts.find((a) => a.result === "authorized")?.at;
      if (charge.status === "authorized" && captureAfter !== null && authorizedAt !== undefined) {
        this.scheduleCapture(charge, captureAfter, Date.parse(authorizedAt));
      }
    }
    for (const sub of state.subscriptions.values()) {
      const payment = sub.payments[sub.payments.length - 1];
      if (payment && !payment.isPaid && payment.inFlight && !liveCharges.has(payment.id)) {
        if (payment.index === 0 && payment.amount === 0) this.verifyCard(sub.id, payment.id, sub.transactionTokenId);
        else this.later(() => this.onResult(sub.id, payment.id, "failed"));
      }
      this.arm(sub.id);
    }
  }

  stop(): void {
    this.stopped = true;
    for (const cancelWake of this.wakes.values()) cancelWake();
    this.wakes.clear();
  }

  private current(id: string): SubscriptionState {
    const s = this.deps.state.subscriptions.get(id);
    if (!s) throw notFound();
    return s;
  }

  private checkedToken(tokenId: string, storeId: string, use: SubscriptionTokenUse, now: Date): TokenRecord {
    const token = this.deps.state.tokens.get(tokenId);
    const err = subscriptionTokenError(token, storeId, use, now.getTime());
    if (err || !token) throw err ?? notFound();
    return token;
  }

  /**
   * Stores a new state, fires its events (data = the object after the transition), starts the
   * actions, then lets the engine apply anything now due and re-arms the timer (the wiring the
   * engine's author prescribes). Terminates: advanceSubscription marks a payment in flight.
   */
  private commit(next: SubscriptionState, events: readonly SubscriptionEvent[], actions: readonly EngineAction[]): void {
    this.deps.state.subscriptions.set(next.id, next);
    this.deps.state.touch(next.id);
    for (const e of events) this.deps.sender.emit(next.storeId, e.event, toApiObject(next));
    for (const a of actions) this.start(next, a);
    const latest = this.current(next.id);
    const adv = advanceSubscription(latest, this.now());
    if (adv.sub !== latest) {
      this.commit(adv.sub, adv.events, adv.actions);
      return;
    }
    this.arm(next.id);
  }

  private arm(id: string): void {
    this.wakes.get(id)?.();
    this.wakes.delete(id);
    const sub = this.deps.state.subscriptions.get(id);
    const wake = sub && nextWakeAt(sub);
    if (!sub || !wake || this.stopped) return;
    this.wakes.set(
      id,
      this.deps.clock.schedule(Math.max(wake.getTime(), this.deps.clock.now()), () => {
        const s = this.deps.state.subscriptions.get(id);
        if (!s || this.stopped) return;
        this.wakes.delete(id);
        this.commit(s, [], []);
      }),
    );
  }

  private start(sub: SubscriptionState, action: EngineAction): void {
    const subId = sub.id;
    if (action.kind === "verify_card") return this.verifyCard(subId, action.paymentId, action.transactionTokenId);
    const token = this.deps.state.tokens.get(action.transactionTokenId);
    if (!token || token.storeId !== sub.storeId) {
      // Deleted token: "linked subscriptions stop working" (§2). No card, so no charge object.
      this.later(() => this.onResult(subId, action.paymentId, "failed"));
      return;
    }
    const charge = this.deps.payments.chargeForSubscription(
      token,
      { subscriptionId: subId, amount: action.amount, currency: action.currency, metadata: flatMetadata(action.metadata), capture: !action.authorizationOnly },
      (c) => this.onChargeSettled(subId, action.paymentId, action.captureAfter, c),
    );
    this.deps.state.paymentOfCharge.set(charge.id, action.paymentId);
  }

  private onChargeSettled(subId: string, paymentId: string, captureAfter: ChargeAction["captureAfter"], charge: ChargeRecord): void {
    const result: ChargeResult = charge.status === "successful" ? "successful" : charge.status === "authorized" ? "authorized" : "failed";
    if (result === "authorized" && captureAfter !== null) this.scheduleCapture(charge, captureAfter, this.deps.clock.now());
    this.onResult(subId, paymentId, result);
  }

  /** first_charge_capture_after = P1D…P6D: captures the whole authorization that much after it was authorized. */
  private scheduleCapture(charge: ChargeRecord, after: string, authorizedAt: number): void {
    const days = Number(/^P(\d+)D$/.exec(after)?.[1] ?? Number.NaN);
    if (!Number.isInteger(days)) throw new Error(`unexpected first_charge_capture_after ${after}`);
    this.deps.clock.schedule(Math.max(authorizedAt + days * DAY_MS, this.deps.clock.now()), () => {
      // The merchant may have captured or canceled it in the meantime.
      if (this.stopped || charge.status !== "authorized" || charge.cancelPending) return;
      this.deps.payments.capture(charge, charge.authorizedAmount ?? charge.requestedAmount, charge.requestedCurrency);
    });
  }

  /** initial_amount = 0: the token's CVV authorization is the card check (§2.5). */
  private verifyCard(subId: string, paymentId: string, tokenId: string): void {
    const status = this.deps.state.tokens.get(tokenId)?.cvvAuthorize.status ?? null;
    if (status === "pending") {
      void this.awaitCvvAuthorization(subId, paymentId, tokenId);
      return;
    }
    this.later(() => this.onResult(subId, paymentId, status === "current" ? "successful" : "failed"));
  }

  private async awaitCvvAuthorization(subId: string, paymentId: string, tokenId: string): Promise<void> {
    for (;;) {
      await this.deps.state.nextChange(tokenId, this.deps.shutdown);
      if (this.stopped || this.deps.shutdown.aborted) return;
      const status = this.deps.state.tokens.get(tokenId)?.cvvAuthorize.status ?? null;
      if (status !== "pending") return this.onResult(subId, paymentId, status === "current" ? "successful" : "failed");
    }
  }

  private onResult(subId: string, paymentId: string, result: ChargeResult): void {
    const sub = this.deps.state.subscriptions.get(subId);
    if (!sub || this.stopped) return;
    const out = applyChargeResult(sub, paymentId, result, this.now());
    this.commit(out.sub, out.events, []);
  }

  /** Results without an acquirer still arrive after the response, like a settlement. */
  private later(task: () => void): void {
    this.deps.clock.schedule(this.deps.clock.now(), task);
  }

  private now(): Date {
    return new Date(this.deps.clock.now());
  }
}

/** Routes validate metadata as flat (NESTED_JSON_NOT_ALLOWED), so nothing is dropped here. */
function flatMetadata(m: Readonly<Record<string, unknown>>): Metadata {
  const out: Metadata = {};
  for (const [k, v] of Object.entries(m)) {
    if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[k] = v;
  }
  return out;
}
