/**
 * The records of a state file as batches are applied to them, last write wins: what the reader
 * builds and restoreState copies into a live SandboxState. Plain maps, in file order. Never reads
 * files and never touches a live sandbox.
 */
import type { IdempotencyRecord } from "../idempotency";
import type { CancelRecord, ChargeRecord, MerchantRecord, RefundRecord, StoreRecord, TokenRecord, WebhookRecord } from "../state/models";
import type { AppTokenRecord } from "../state/sandbox-state";
import type { SubscriptionState } from "../subscriptions/subscription-types";
import type { RecordLine } from "./state-line-schema";

export interface LoadedRecords {
  readonly merchants: Map<string, MerchantRecord>;
  readonly stores: Map<string, StoreRecord>;
  readonly appTokens: Map<string, AppTokenRecord>;
  readonly tokens: Map<string, TokenRecord>;
  readonly charges: Map<string, ChargeRecord>;
  readonly paymentOfCharge: Map<string, string>;
  readonly refunds: Map<string, RefundRecord>;
  readonly cancels: Map<string, CancelRecord>;
  readonly webhooks: Map<string, WebhookRecord>;
  readonly subscriptions: Map<string, SubscriptionState>;
  readonly customerIds: Map<string, string>;
  readonly purgedTokenIds: Set<string>;
  /** By the idempotency store's entry id (scope + NUL + key). */
  readonly idempotency: Map<string, IdempotencyRecord>;
}

export function emptyRecords(): LoadedRecords {
  return {
    merchants: new Map(),
    stores: new Map(),
    appTokens: new Map(),
    tokens: new Map(),
    charges: new Map(),
    paymentOfCharge: new Map(),
    refunds: new Map(),
    cancels: new Map(),
    webhooks: new Map(),
    subscriptions: new Map(),
    customerIds: new Map(),
    purgedTokenIds: new Set(),
    idempotency: new Map(),
  };
}

/** Applies one record line of a committed batch (end lines are handled by the reader). */
export function applyRecordLine(r: LoadedRecords, l: RecordLine): void {
  switch (l.t) {
    case "merchant":
      r.merchants.set(l.v.id, l.v);
      return;
    case "store":
      r.stores.set(l.v.id, l.v);
      return;
    case "app_token":
      r.appTokens.set(l.v.jti, l.v);
      return;
    case "token":
      r.tokens.set(l.v.id, l.v);
      return;
    case "charge":
      r.charges.set(l.v.id, l.v);
      if (l.paymentId !== undefined) r.paymentOfCharge.set(l.v.id, l.paymentId);
      return;
    case "refund":
      r.refunds.set(l.v.id, l.v);
      return;
    case "cancel":
      r.cancels.set(l.v.id, l.v);
      return;
    case "webhook":
      r.webhooks.set(l.v.id, l.v);
      return;
    case "subscription":
      r.subscriptions.set(l.v.id, l.v);
      return;
    case "customer":
      r.customerIds.set(l.k, l.v);
      return;
    case "purged":
      r.purgedTokenIds.add(l.id);
      r.tokens.delete(l.id);
      return;
    case "del":
      // Only tokens and webhooks are ever deleted today; removing the id everywhere stays right
      // if another kind becomes deletable.
      for (const m of [r.tokens, r.webhooks, r.charges, r.refunds, r.cancels, r.subscriptions, r.stores, r.merchants, r.appTokens]) m.delete(l.id);
      return;
    case "idem":
      r.idempotency.set(`${l.v.scope}\u0000${l.v.key}`, l.v);
      return;
    case "end":
      return;
  }
}
