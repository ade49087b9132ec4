/**
 * A subscription as a LIST item: the subscription object plus the fields only lists carry
 * (`merchant_name`, `store_name`, `payment_type`, `next_payment_date`, `user_data`), as in the
 * doc's list example (`:12949-13000`).
 */
import { toApiObject, type SubscriptionState } from "../subscriptions";
import type { MerchantRecord, StoreRecord, TokenRecord } from "./models";

export interface ListItemContext {
  readonly store: StoreRecord | undefined;
  readonly merchant: MerchantRecord | undefined;
  /** Undefined once the token was deleted. */
  readonly token: TokenRecord | undefined;
}

export function renderSubscriptionListItem(sub: SubscriptionState, c: ListItemContext): Record<string, unknown> {
  const api = toApiObject(sub);
  const next = api["next_payment"] as { due_date?: unknown } | null;
  return {
    ...api,
    merchant_name: c.merchant?.name ?? null,
    store_name: c.store?.name ?? null,
    payment_type: "card",
    next_payment_date: next?.due_date ?? null,
    user_data: {
      type: "charge",
      cardholder_name: c.token?.card.cardholder ?? null,
      email: c.token?.email ?? null,
      brand: c.token?.card.brand ?? null,
      gateway: null,
      service_provider: null,
    },
  };
}
