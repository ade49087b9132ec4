/**
 * Everything a payment flow needs, wired once in the composition root. Flows receive this object
 * and never construct a store, client or logger themselves.
 */
import type { MerchantRegistry } from "../config/merchants";
import type { Logger, Secret } from "../logging/logger";
import type { MappingTable } from "../mapping";
import type { Store } from "../store/store-types";
import type { KindRegistry } from "../transitions/kind-registry";
import type { UnivapayClient } from "../univapay/univapay-client";

export interface PaymentDeps {
  readonly store: Store;
  readonly client: UnivapayClient;
  readonly table: MappingTable;
  /** The transition kinds, by the operations.yaml action that selects them. */
  readonly kinds: KindRegistry;
  readonly merchants: MerchantRegistry;
  readonly logger: Logger;
  readonly now: () => Date;
  /** How long a legacy request may wait for UnivaPay to settle before answering rst=0. */
  readonly pollDeadlineMs: number;
  /** Key of the HMAC that turns a legacy request into its request key: card data is part of a
   *  request, so the key must not be a plain hash anyone could test guesses against. */
  readonly requestKeySecret: Secret;
  /** Until when resends may still carry a pre-HMAC request key (a day after the newest such row). */
  readonly priorKeysUntil?: Date;
  /** Called after a kickback was enqueued, so the dispatcher sends it without waiting for its poll. */
  readonly onKickbackEnqueued: () => void;
}
