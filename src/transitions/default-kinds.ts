/** The transition kinds the gateway ships; createCore and startGateway take more in tests. */
import { autoBillingChangeKind } from "./kinds/auto-billing-change-kind";
import { autoBillingStatusKind } from "./kinds/auto-billing-status-kind";
import { cancelKind } from "./kinds/cancel-kind";
import { captureKind } from "./kinds/capture-kind";
import { chargeKind } from "./kinds/charge-kind";
import { cardCheckKind, checkKind } from "./kinds/check-kind";
import { cycleKind } from "./kinds/cycle-kind";
import { hostedChargeKind } from "./kinds/hosted-charge-kind";
import { subscriptionKind } from "./kinds/subscription-kind";

export const DEFAULT_KINDS = [
  chargeKind,
  captureKind,
  cancelKind,
  subscriptionKind,
  cycleKind,
  autoBillingChangeKind,
  autoBillingStatusKind,
  checkKind,
  cardCheckKind,
  hostedChargeKind,
] as const;
