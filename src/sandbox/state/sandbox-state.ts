/**
 * The simulator's in-memory database: one map per resource (insertion order = creation order), a
 * change signal per resource id that long polling waits on, and — only when a state file is in
 * use — the set of record ids changed since the last save. No business rules live here.
 */
import { EventEmitter } from "node:events";
import type { SubscriptionState } from "../subscriptions/subscription-types";
import type { OwnerNames } from "./render";
import type { CancelRecord, ChargeRecord, MerchantRecord, RefundRecord, StoreRecord, TokenRecord, WebhookRecord } from "./models";
import { TrackedMap, TrackedSet } from "./tracked-collections";

export interface AppTokenRecord {
  readonly jti: string;
  readonly storeId: string;
  readonly secret: string;
  readonly jwt: string;
}

export class SandboxState {
  /** Keys changed since the last takeChanges(); null while nothing persists this state, so an
   *  in-memory sandbox pays one null check per write and keeps no history. */
  private changedKeys: Set<string> | null = null;
  private onFirstChange: (() => void) | null = null;
  private readonly mark = (key: string): void => {
    if (this.changedKeys === null) return;
    if (this.changedKeys.size === 0) this.onFirstChange?.();
    this.changedKeys.add(key);
  };

  readonly merchants = new TrackedMap<MerchantRecord>(this.mark);
  readonly stores = new TrackedMap<StoreRecord>(this.mark);
  /** By jti. */
  readonly appTokens = new TrackedMap<AppTokenRecord>(this.mark);
  readonly tokens = new TrackedMap<TokenRecord>(this.mark);
  /** Write through addCharge, which keeps the per-token index in step. */
  readonly charges = new TrackedMap<ChargeRecord>(this.mark);
  readonly refunds = new TrackedMap<RefundRecord>(this.mark);
  readonly cancels = new TrackedMap<CancelRecord>(this.mark);
  readonly webhooks = new TrackedMap<WebhookRecord>(this.mark);
  /** Ids of test-mode recurring tokens removed after their month (§6): their charges refuse refunds. */
  readonly purgedTokenIds = new TrackedSet(this.mark);
  /** (store id, merchant's customer id) → customer UUID of POST /stores/{id}/create_customer_id. */
  readonly customerIds = new TrackedMap<string>(this.mark);
  /** Subscriptions (§2.5) as the pure engine's immutable states; SubscriptionService writes them. */
  readonly subscriptions = new TrackedMap<SubscriptionState>(this.mark);
  /** Charge id → scheduled-payment id of a subscription charge (`/payments/{id}/charges`). */
  readonly paymentOfCharge = new TrackedMap<string>(this.mark);
  private seq = 0;
  /** Charges per token: the recurring-usage rule asks on every charge, and a scan of all charges
   *  grew with the sandbox's history (a long bench slowed down as it went). */
  private readonly chargesByToken = new Map<string, ChargeRecord[]>();
  private readonly changes = new EventEmitter();

  constructor() {
    this.changes.setMaxListeners(0);
  }

  addCharge(charge: ChargeRecord): void {
    this.charges.set(charge.id, charge);
    const list = this.chargesByToken.get(charge.tokenId);
    if (list) list.push(charge);
    else this.chargesByToken.set(charge.tokenId, [charge]);
  }

  /** Every charge made with the token, in creation order. */
  chargesOfToken(tokenId: string): readonly ChargeRecord[] {
    return this.chargesByToken.get(tokenId) ?? [];
  }

  nextSeq(): number {
    return ++this.seq;
  }

  /** The last sequence number handed out. */
  lastSeq(): number {
    return this.seq;
  }

  /** Loading a state file: sequence numbers continue after the saved ones. */
  restoreSeq(seq: number): void {
    this.seq = Math.max(this.seq, seq);
  }

  /** Signals that resource `id` changed (wakes long polls). */
  touch(id: string): void {
    this.mark(id);
    this.changes.emit(id);
  }

  /**
   * Record `id` was changed in place (a field assignment the maps cannot see). Callers that also
   * touch() need not call this. A no-op unless a state file is in use.
   */
  changed(id: string): void {
    this.mark(id);
  }

  /** Starts remembering changed keys; `onFirstChange` runs when the first change after a take arrives. */
  trackChanges(onFirstChange: () => void): void {
    this.changedKeys = new Set();
    this.onFirstChange = onFirstChange;
  }

  /** The keys changed since the previous take (record ids, jti, customer-id keys), in first-change order. */
  takeChanges(): Set<string> {
    const taken = this.changedKeys ?? new Set<string>();
    if (this.changedKeys !== null) this.changedKeys = new Set();
    return taken;
  }

  hasChanges(): boolean {
    return this.changedKeys !== null && this.changedKeys.size > 0;
  }

  /** Resolves at the next touch(id) or when `abort` fires, whichever comes first. */
  nextChange(id: string, abort: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.changes.off(id, done);
        abort.removeEventListener("abort", done);
        resolve();
      };
      if (abort.aborted) return resolve();
      this.changes.on(id, done);
      abort.addEventListener("abort", done);
    });
  }
}

/** Records of one store in creation order. */
export function ofStore<T extends { readonly storeId: string }>(map: ReadonlyMap<string, T>, storeId: string): T[] {
  return [...map.values()].filter((r) => r.storeId === storeId);
}

/** The merchant and store names a list item shows; null if the store is unknown. */
export function ownerNamesOf(state: SandboxState, storeId: string): OwnerNames {
  const store = state.stores.get(storeId);
  const merchant = store && state.merchants.get(store.merchantId);
  return { merchantName: merchant?.name ?? null, storeName: store?.name ?? null };
}
