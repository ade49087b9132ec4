/**
 * Public surface of the pure subscription engine for the sandbox server: create, run due
 * charges, apply their results, PATCH/DELETE, and render the UnivaPay JSON. No I/O, no
 * timers, no clock: every function takes `now`.
 */
export { createSubscription, DEFAULT_RETRY_COUNT, type CreateContext, type CreateResult } from "./create-subscription";
export { advanceSubscription, dueActions, nextWakeAt, type AdvanceResult } from "./advance-subscription";
export { applyChargeResult, type ChargeOutcome } from "./apply-charge-result";
export { patchSubscription, type PatchResult } from "./patch-subscription";
export { cancelSubscription, type CancelResult } from "./cancel-subscription";
export { updateScheduledPayment, type PaymentUpdateResult } from "./update-scheduled-payment";
export { toApiObject, listPayments, toPaymentObject } from "./to-api-object";
export { validateCreateInput, validatePatchInput, DEFAULT_ZONE_ID } from "./subscription-schema";
export type {
  ChargeResult,
  EngineAction,
  EngineRejection,
  FieldError,
  ScheduledPayment,
  SubscriptionEvent,
  SubscriptionEventName,
  SubscriptionState,
  SubscriptionStatus,
} from "./subscription-types";
