/**
 * The compiled mapping table: plain lookup maps and pre-resolved converters, built once at load
 * by compileMappingTable and never mutated. Every engine function takes it as its first argument.
 */
import type { AmountLimits, Converter } from "./converters";
import type { GatewayErrorKey } from "./legacy-failure";
import type { ContextValue } from "./context-values";
import type { Endpoint, LayoutCondition, LayoutName, LayoutSource, OperationAction, RuleSetName } from "./mapping-schema";
import type { MigrationKind } from "./migration-schema";
import type { CycleParam, RecurringParam, UnivapayPeriod } from "./recurring-schema";
import type { CancelStatus, ChargeStatus, CvvAuthStatus, Outcome, RefundStatus, Transition } from "./univapay-statuses";

export interface CompiledParams {
  /** Exact names that are NOT merchant fields (spec, card, reserved result names). */
  readonly names: ReadonlySet<string>;
  /** Whole-name patterns, anchored at compile time. */
  readonly patterns: readonly RegExp[];
  /** The card parameters (params.yaml `card`): the only place a card number may arrive. */
  readonly cardNames: ReadonlySet<string>;
}

export interface CompiledOperation {
  readonly id: string;
  readonly endpoint: Endpoint;
  readonly job: string;
  readonly ptype: string | undefined;
  readonly action: OperationAction;
  /** A charge row's "authorise and capture at once"; undefined where it means nothing. */
  readonly capture: boolean | undefined;
  readonly requires: readonly string[];
  readonly svidOfPayment: boolean;
  /** Applies only when this parameter is present and not one of `except` (operations.yaml `when`). */
  readonly when: { readonly param: string; readonly except: readonly string[] } | undefined;
  /** Who sends it: the merchant's server, or the shopper's browser (link method). */
  readonly channel: "server" | "browser";
  /** 3-D Secure mode asked of UnivaPay's hosted form (browser rows only). */
  readonly threeDs: "force" | "require" | "if_available" | undefined;
}

export interface CompiledOperations {
  readonly knownJobs: ReadonlySet<string>;
  readonly unsupportedPtypes: Readonly<Record<Endpoint, ReadonlySet<string>>>;
  /** The ptypes of the browser rows per endpoint: a request with one is a shopper's browser. */
  readonly browserPtypes: Readonly<Record<Endpoint, ReadonlySet<string>>>;
  readonly requiredParams: ReadonlyMap<string, GatewayErrorKey>;
  readonly rows: readonly CompiledOperation[];
}

export interface CompiledServices {
  readonly paymentTypes: ReadonlyMap<string, string>;
  readonly missingSvid: Readonly<Partial<Record<Endpoint, string>>>;
  readonly unsupported: GatewayErrorKey;
}

export type CompiledTarget =
  | { readonly kind: "single"; readonly path: readonly string[] }
  | { readonly kind: "parts"; readonly parts: ReadonlyArray<readonly [string, readonly string[]]> };

export type CompiledRule =
  | { readonly kind: "const"; readonly path: readonly string[]; readonly value: string | number | boolean }
  | { readonly kind: "context"; readonly path: readonly string[]; readonly name: ContextValue }
  | {
      readonly kind: "convert";
      readonly from: readonly string[];
      readonly to: CompiledTarget;
      readonly converter: Converter;
      readonly required: boolean;
      readonly failures: Readonly<Record<string, GatewayErrorKey>>;
    };

export interface CompiledStatuses {
  readonly charge: Readonly<Record<Transition, Readonly<Record<ChargeStatus, Outcome>>>>;
  readonly cancel: Readonly<Record<CancelStatus, Outcome>>;
  readonly refund: Readonly<Record<RefundStatus, Outcome>>;
  readonly cvvAuthorize: Readonly<Record<CvvAuthStatus, Outcome>>;
}

export interface CodeInfo {
  readonly origin: "legacy" | "gateway";
  readonly messageJa: string;
  readonly messageEn: string;
}

export interface CompiledErrors {
  readonly prefix: string;
  readonly codes: ReadonlyMap<string, CodeInfo>;
  readonly keys: Readonly<Record<GatewayErrorKey, string>>;
  readonly paymentDefault: GatewayErrorKey;
  readonly paymentCodes: ReadonlyMap<number, string>;
  readonly apiDefault: GatewayErrorKey;
  readonly apiCodes: ReadonlyMap<string, string>;
  readonly validationFields: ReadonlyMap<string, string>;
}

export interface CompiledLayout {
  readonly rst: Readonly<Record<Outcome, string>>;
  readonly ap: Readonly<Record<"test" | "live", { readonly value: string } | { readonly from: "pid" }>>;
  readonly fields: Readonly<Record<LayoutName, ReadonlyArray<{ readonly name: string; readonly from: LayoutSource; readonly when?: LayoutCondition }>>>;
}

export interface RecurringRange {
  readonly min: number;
  readonly max: number;
}

/** One actp1 code of recurring.yaml. `params` lists the required parameters, each with its range. */
export interface CompiledCycleCode {
  readonly code: string;
  readonly field:
    { readonly kind: "period"; readonly period: UnivapayPeriod } | { readonly kind: "cyclical"; readonly unit: "D" | "M"; readonly count: CycleParam };
  readonly startOn:
    | { readonly kind: "none" }
    | { readonly kind: "daysLater"; readonly from: CycleParam }
    | { readonly kind: "nextDayOfMonth"; readonly from: CycleParam }
    | { readonly kind: "dayOfNextMonth"; readonly from: CycleParam };
  readonly params: ReadonlyMap<CycleParam, RecurringRange>;
}

export interface CompiledRecurring {
  readonly cycles: ReadonlyMap<string, CompiledCycleCode>;
  readonly limits: Readonly<Record<"acrm1" | "acrt1" | "acrd1", RecurringRange>>;
  readonly errors: Readonly<Record<RecurringParam, GatewayErrorKey>>;
  readonly defaults: {
    readonly zoneId: "Asia/Tokyo";
    readonly legacyRetryIntervalDays: number;
    readonly legacyRetryCount: number;
    /** "HH:MM" in zoneId. */
    readonly legacyChargeTime: string;
    readonly univapayChargeTime: string;
    /** One-day cycles, or start_on = creation + 1 day. */
    readonly univapayEarlyChargeTime: string;
    /** UnivaPay's store-wide default, attempts including the first. */
    readonly univapayRetryAttempts: number;
  };
}

/** One column layout of mappings/migration.yaml: each field's header keys and headerless column. */
export interface CompiledMigrationLayout {
  readonly name: string;
  readonly kind: MigrationKind;
  readonly fields: ReadonlyArray<{ readonly name: string; readonly column: number; readonly headers: readonly string[]; readonly required: boolean }>;
}

export interface CompiledMigration {
  readonly layouts: Readonly<Record<string, CompiledMigrationLayout>>;
  readonly memberTokenTypes: readonly string[];
  readonly chargeStates: Readonly<Record<string, "authorized" | "captured" | "canceled" | "refunded">>;
  /** UnivaPay subscription statuses `migrate autobillings` maps. */
  readonly autoBillingStates: readonly string[];
  /** `migrate autobillings --create`: the fewest days from today to the next legacy billing date. */
  readonly minLeadDays: number;
}

export interface MappingTable {
  readonly files: readonly string[];
  readonly params: CompiledParams;
  readonly services: CompiledServices;
  readonly operations: CompiledOperations;
  readonly limits: { readonly amount: AmountLimits };
  readonly ruleSets: Readonly<Record<RuleSetName, readonly CompiledRule[]>>;
  readonly statuses: CompiledStatuses;
  readonly errors: CompiledErrors;
  readonly layout: CompiledLayout;
  readonly recurring: CompiledRecurring;
  readonly migration: CompiledMigration;
}
