/**
 * Legacy `ec` values: gateway error keys, UnivaPay payment error numbers and API error codes →
 * the 11-character ec (prefix + 6-character detail). Pure lookups in the compiled table; an
 * unmapped input gets the table's declared default, never success.
 */
import type { GatewayErrorKey, LegacyFailure } from "./legacy-failure";
import type { MappingTable } from "./mapping-table";

/** Success is exactly this (S003, FUR, PARK); not configurable. */
export const SUCCESS_EC = "ER000000000";

export interface ErrorInfo {
  readonly detail: string;
  readonly messageJa: string;
  readonly messageEn: string;
  readonly origin: "legacy" | "gateway";
}

/** Full 11-character ec for a gateway error key. */
export function ecFor(table: MappingTable, key: GatewayErrorKey): string {
  return table.errors.prefix + table.errors.keys[key];
}

export function errorInfo(table: MappingTable, key: GatewayErrorKey): ErrorInfo {
  return detailInfo(table, table.errors.keys[key]);
}

function detailInfo(table: MappingTable, detail: string): ErrorInfo {
  // The loader guarantees every referenced detail code is documented.
  const info = table.errors.codes.get(detail);
  return {
    detail,
    messageJa: info?.messageJa ?? "",
    messageEn: info?.messageEn ?? "",
    origin: info?.origin ?? "gateway",
  };
}

/** Builds the failure value for a key; `field` names the legacy parameter at fault. */
export function failureFor(table: MappingTable, key: GatewayErrorKey, field?: string): LegacyFailure {
  const info = errorInfo(table, key);
  const message = field === undefined ? info.messageEn : `${field}: ${info.messageEn}`;
  return field === undefined ? { key, ec: ecFor(table, key), message } : { key, ec: ecFor(table, key), field, message };
}

/** ec for charge.error.code / cancel.error.code / refund.error.code (univapay-api.md §5.3). */
export function ecForPaymentError(table: MappingTable, code: number | undefined): string {
  const detail = code === undefined ? undefined : table.errors.paymentCodes.get(code);
  return detail === undefined ? ecFor(table, table.errors.paymentDefault) : table.errors.prefix + detail;
}

/**
 * ec for an API error body's `code` (univapay-api.md §5.2). For VALIDATION_ERROR (or a code
 * without its own entry) the first `errors[].field` with a mapping decides.
 */
export function ecForApiError(table: MappingTable, code: string | undefined, fields: ReadonlyArray<{ readonly field: string }> = []): string {
  const direct = code === undefined ? undefined : table.errors.apiCodes.get(code);
  if (direct !== undefined) return table.errors.prefix + direct;
  for (const f of fields) {
    const byField = table.errors.validationFields.get(f.field);
    if (byField !== undefined) return table.errors.prefix + byField;
  }
  return ecFor(table, table.errors.apiDefault);
}

/** Documentation lookup by detail code (e.g. for an admin view of stored errorCode values). */
export function describeDetail(table: MappingTable, detail: string): ErrorInfo | undefined {
  return table.errors.codes.has(detail) ? detailInfo(table, detail) : undefined;
}

/** A refusal of a legacy request: its error key resolved to the full `ec`, with an operator message. */
export function legacyFailure(table: MappingTable, key: GatewayErrorKey, message: string, field?: string): LegacyFailure {
  return { key, ec: ecFor(table, key), message, ...(field ? { field } : {}) };
}
