/**
 * Everything the payment paths need, wired once in the composition root: what a transition kind
 * may use (KindContext), plus what only the request edge and the workers use (the kinds
 * themselves, the merchants, the request-key secret). Nothing receiving it constructs a store,
 * client or logger itself.
 */
import type { MerchantRegistry } from "../config/merchants";
import type { Secret } from "../logging/logger";
import type { KindRegistry } from "./kind-registry";
import type { KindContext } from "./transition-kind";

export interface PaymentDeps extends KindContext {
  /** The transition kinds, by the operations.yaml action that selects them. */
  readonly kinds: KindRegistry;
  readonly merchants: MerchantRegistry;
  /** Key of the HMAC that turns a legacy request into its request key: card data is part of a
   *  request, so the key must not be a plain hash anyone could test guesses against. */
  readonly requestKeySecret: Secret;
  /** Until when resends may still carry a pre-HMAC request key (a day after the newest such row). */
  readonly priorKeysUntil?: Date;
}
