/** The transition kinds the gateway ships; createCore and startGateway take more in tests. */
import { cancelKind } from "./kinds/cancel-kind";
import { captureKind } from "./kinds/capture-kind";
import { chargeKind } from "./kinds/charge-kind";

export const DEFAULT_KINDS = [chargeKind, captureKind, cancelKind] as const;
