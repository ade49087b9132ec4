/**
 * The simulator's in-memory database: one map per resource (insertion order = creation order) and
 * a change signal per resource id that long polling waits on. No business rules live here.
 */
import { EventEmitter } from "node:events";
import type { OwnerNames } from "./render";
import type { CancelRecord, ChargeRecord, MerchantRecord, RefundRecord, StoreRecord, TokenRecord, WebhookRecord } from "./models";

export interface AppTokenRecord {
  readonly jti: string;
  readonly storeId: string;
  readonly secret: string;
  readonly jwt: string;
}

export class SandboxState {
  readonly merchants = new Map<string, MerchantRecord>();
  readonly stores = new Map<string, StoreRecord>();
  readonly appTokens = new Map<string, AppTokenRecord>();
  readonly tokens = new Map<string, TokenRecord>();
  /** Write through addCharge, which keeps the per-token index in step. */
  readonly charges = new Map<string, ChargeRecord>();
  readonly refunds = new Map<string, RefundRecord>();
  readonly cancels = new Map<string, CancelRecord>();
  readonly webhooks = new Map<string, WebhookRecord>();
  /** Ids of test-mode recurring tokens removed after their month (§6): their charges refuse refunds. */
  readonly purgedTokenIds = new Set<string>();
  /** (store id, merchant's customer id) → customer UUID of POST /stores/{id}/create_customer_id. */
  readonly customerIds = new Map<string, string>();
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

  /** Signals that resource `id` changed (wakes long polls). */
  touch(id: string): void {
    this.changes.emit(id);
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
