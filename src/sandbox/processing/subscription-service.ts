/**
 * Runs the pure subscription engine (src/sandbox/subscriptions) inside the sandbox: keeps each
 * subscription's state, checks tokens, turns engine actions into real charges through the
 * PaymentProcessor (so test cards decide the outcome), feeds settlements back, fires the
 * subscription_* webhooks with the subscription object, and keeps one sandbox-clock timer per
 * subscription at its next run time. Routes only parse input and render output.
 */
import { notFound } from "../errors";
import { newId } from "../ids";
import type { ChargeRecord, Metadata, TokenRecord } from "../state/models";
import { ofStore } from "../state/sandbox-state";
import {
  advanceSubscription, applyChargeResult, cancelSubscription, createSubscription, nextWakeAt, patchSubscription,
  toApiObject, updateScheduledPayment,
  type ChargeResult, type EngineAction, type SubscriptionEvent, type SubscriptionState, type SubscriptionStatus,
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

interface Entry {
  state: SubscriptionState;
  cancelWake: (() => void) | null;
}

type ChargeAction = Extract<EngineAction, { kind: "charge" }>;

const DAY_MS = 86_400_000;
const ENDED: ReadonlySet<SubscriptionStatus> = new Set(["canceled", "completed", "unconfirmed"]);

export class SubscriptionService {
  private readonly entries = new Map<string, Entry>();
  /** Charge id → scheduled-payment id, for `/payments/{id}/charges`. */
  private readonly paymentOfCharge = new Map<string, string>();
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
    if (token.type === "subscription") token.active = false;
    const entry: Entry = { state: r.sub, cancelWake: null };
    this.entries.set(r.sub.id, entry);
    this.commit(entry, r.sub, r.events, r.actions);
    return entry.state;
  }

  get(storeId: string, id: string): SubscriptionState {
    return this.entry(storeId, id).state;
  }

  /**
   * True while a subscription that can still charge (not canceled, completed or unconfirmed) has
   * this as its current token: DELETE of such a recurring token is refused (SDK code
   * ONGOING_SUBSCRIPTIONS_EXIST_FOR_TOKEN).
   */
  isTokenInUse(tokenId: string): boolean {
    for (const { state } of this.entries.values()) {
      if (state.transactionTokenId === tokenId && !ENDED.has(state.status)) return true;
    }
    return false;
  }

  /** Oldest first, as `paginate` expects. */
  list(storeId: string): SubscriptionState[] {
    return [...this.entries.values()].map((e) => e.state).filter((s) => s.storeId === storeId);
  }

  patch(storeId: string, id: string, body: unknown): SubscriptionState {
    const entry = this.entry(storeId, id);
    const r = patchSubscription(entry.state, body, this.now());
    if (!r.ok) throw rejectionToApiError(r);
    if (r.sub.transactionTokenId !== entry.state.transactionTokenId) {
      const token = this.checkedToken(r.sub.transactionTokenId, storeId, "change", this.now());
      if (token.type === "subscription") token.active = false;
    }
    this.commit(entry, r.sub, r.events, []);
    return entry.state;
  }

  cancel(storeId: string, id: string): void {
    const entry = this.entry(storeId, id);
    const r = cancelSubscription(entry.state, this.now());
    if (!r.ok) throw rejectionToApiError(r);
    this.commit(entry, r.sub, r.events, []);
  }

  updatePayment(storeId: string, id: string, paymentId: string, body: unknown): SubscriptionState {
    const entry = this.entry(storeId, id);
    const r = updateScheduledPayment(entry.state, paymentId, body, this.now());
    if (!r.ok) throw rejectionToApiError(r);
    this.commit(entry, r.sub, [], []);
    return entry.state;
  }

  /** The subscription's charges in creation order, optionally only those of one scheduled payment. */
  charges(storeId: string, id: string, paymentId?: string): ChargeRecord[] {
    const sub = this.get(storeId, id);
    return ofStore(this.deps.state.charges, storeId).filter(
      (c) => c.subscriptionId === sub.id && (paymentId === undefined || this.paymentOfCharge.get(c.id) === paymentId),
    );
  }

  stop(): void {
    this.stopped = true;
    for (const e of this.entries.values()) e.cancelWake?.();
  }

  private entry(storeId: string, id: string): Entry {
    const e = this.entries.get(id);
    if (!e || e.state.storeId !== storeId) throw notFound();
    return e;
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
  private commit(entry: Entry, next: SubscriptionState, events: readonly SubscriptionEvent[], actions: readonly EngineAction[]): void {
    entry.state = next;
    this.deps.state.touch(next.id);
    for (const e of events) this.deps.sender.emit(next.storeId, e.event, toApiObject(next));
    for (const a of actions) this.start(entry, a);
    const adv = advanceSubscription(entry.state, this.now());
    if (adv.sub !== entry.state) {
      this.commit(entry, adv.sub, adv.events, adv.actions);
      return;
    }
    this.arm(entry);
  }

  private arm(entry: Entry): void {
    entry.cancelWake?.();
    entry.cancelWake = null;
    const wake = nextWakeAt(entry.state);
    if (!wake || this.stopped) return;
    const id = entry.state.id;
    entry.cancelWake = this.deps.clock.schedule(Math.max(wake.getTime(), this.deps.clock.now()), () => {
      const e = this.entries.get(id);
      if (!e || this.stopped) return;
      e.cancelWake = null;
      this.commit(e, e.state, [], []);
    });
  }

  private start(entry: Entry, action: EngineAction): void {
    const subId = entry.state.id;
    if (action.kind === "verify_card") return this.verifyCard(subId, action.paymentId, action.transactionTokenId);
    const token = this.deps.state.tokens.get(action.transactionTokenId);
    if (!token || token.storeId !== entry.state.storeId) {
      // Deleted token: "linked subscriptions stop working" (§2). No card, so no charge object.
      this.later(() => this.onResult(subId, action.paymentId, "failed"));
      return;
    }
    const charge = this.deps.payments.chargeForSubscription(
      token,
      { subscriptionId: subId, amount: action.amount, currency: action.currency, metadata: flatMetadata(action.metadata), capture: !action.authorizationOnly },
      (c) => this.onChargeSettled(subId, action, c),
    );
    this.paymentOfCharge.set(charge.id, action.paymentId);
  }

  private onChargeSettled(subId: string, action: ChargeAction, charge: ChargeRecord): void {
    const result: ChargeResult = charge.status === "successful" ? "successful" : charge.status === "authorized" ? "authorized" : "failed";
    if (result === "authorized" && action.captureAfter !== null) this.scheduleCapture(charge, action.captureAfter);
    this.onResult(subId, action.paymentId, result);
  }

  /** first_charge_capture_after = P1D…P6D: captures the whole authorization that much later. */
  private scheduleCapture(charge: ChargeRecord, after: string): void {
    const days = Number(/^P(\d+)D$/.exec(after)?.[1] ?? Number.NaN);
    if (!Number.isInteger(days)) throw new Error(`unexpected first_charge_capture_after ${after}`);
    this.deps.clock.schedule(this.deps.clock.now() + days * DAY_MS, () => {
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
    const entry = this.entries.get(subId);
    if (!entry || this.stopped) return;
    const out = applyChargeResult(entry.state, paymentId, result, this.now());
    this.commit(entry, out.sub, out.events, []);
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
