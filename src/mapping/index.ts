/**
 * Public surface of the mapping engine: the declarative table in mappings/ compiled once by
 * loadMappingTable, and pure functions over it. Nothing exported here does I/O except
 * loadMappingTable/checkMappingDir, which read the directory.
 */
export { CONVERTERS, ITEM_AMOUNT, parseYen, type ConverterName } from "./converters";
export { SUCCESS_EC, describeDetail, ecFor, ecForApiError, ecForPaymentError, errorInfo, failureFor, legacyFailure, type ErrorInfo } from "./error-codes";
export { isEchoedParam } from "./is-echoed-param";
export { GATEWAY_ERROR_KEYS, isGatewayErrorKey, type GatewayErrorKey, type LegacyFailure, type Result } from "./legacy-failure";
export { legacyResultFields, type LegacyResult } from "./legacy-result-fields";
export { checkMappingDir, loadMappingTable } from "./load-mapping-table";
export { mapCharge, mapFields, mapFromContext, requestTotal, withContext, type ChargeMapping, type MappingContext } from "./map-fields";
export type { Endpoint, LayoutName, OperationAction, RuleSetName } from "./mapping-schema";
export type { MappingTable } from "./mapping-table";
export type { ParamSource } from "./param-source";
export { resolveOperation, type ResolvedOperation } from "./resolve-operation";
export { cancelOutcome, chargeOutcome, cvvAuthOutcome, refundOutcome } from "./status-outcome";
export {
  CANCEL_STATUSES,
  CHARGE_STATUSES,
  OUTCOMES,
  REFUND_STATUSES,
  TRANSITIONS,
  type CancelStatus,
  type ChargeStatus,
  type Outcome,
  type RefundStatus,
  type Transition,
} from "./univapay-statuses";
