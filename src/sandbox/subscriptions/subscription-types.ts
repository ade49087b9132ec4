/**
 * Types of the pure subscription engine: the immutable state the sandbox stores, the
 * actions it asks the server to perform (charges), and the events it reports (which the
 * server turns into `subscription_*` webhooks). Everything is JSON-serialisable: instants
 * are ISO strings, calendar dates are `CivilDate`s, so a store can persist the state as is.
 */
import type { Cycle, Period } from "./billing-cycle";
import type { CivilDate } from "./civil-date";

/** `authorized` is SDK-only: an auth-only first charge waiting for capture (§3). */
export type SubscriptionStatus = "unverified" | "authorized" | "current" | "unpaid" | "suspended" | "canceled" | "unconfirmed" | "completed";

export type TerminationMode = "immediate" | "on_next_payment";

export type SubscriptionPlan =
  { readonly planType: "fixed_cycles"; readonly fixedCycles: number } | { readonly planType: "fixed_cycle_amount"; readonly fixedCycleAmount: number };

export type InstallmentPlan = { readonly planType: "revolving" } | { readonly planType: "fixed_cycles"; readonly fixedCycles: number };

export interface ScheduleSettings {
  readonly startOn: CivilDate | null;
  readonly zoneId: string;
  readonly preserveEndOfMonth: boolean | null;
  readonly retryInterval: string | null;
  readonly terminationMode: TerminationMode;
}

/** What the server reports back for a charge the engine asked for. */
export type ChargeResult = "successful" | "failed" | "authorized";

export interface ChargeAttempt {
  readonly at: string;
  readonly result: ChargeResult;
}

/** One scheduled payment (the `/payments` resource). The last element of `payments` is the next one. */
export interface ScheduledPayment {
  readonly id: string;
  /** 0 = first charge at creation; plan amounts and `is_last_payment` follow this number. */
  readonly index: number;
  /** Position on the cycle grid (see `gridDate`); resume may move a payment to a later slot. */
  readonly slot: number;
  readonly dueDate: CivilDate;
  /** Set by `updateScheduledPayment` (the "manually set next date" of §7). */
  readonly dueDateSetManually: boolean;
  readonly amount: number;
  readonly isPaid: boolean;
  readonly isLastPayment: boolean;
  /** Failure date + retry interval while waiting for a retry; the run date is the later of this and dueDate. */
  readonly retryDate: CivilDate | null;
  /** A charge was handed to the server and its result has not come back yet. */
  readonly inFlight: boolean;
  readonly attempts: readonly ChargeAttempt[];
  readonly successfulPaymentDate: CivilDate | null;
  readonly createdOn: string;
  readonly updatedOn: string;
}

export interface SubscriptionState {
  readonly id: string;
  readonly storeId: string;
  readonly mode: "test" | "live";
  readonly transactionTokenId: string;
  /** Per-cycle amount, or the plan TOTAL when `subscriptionPlan`/`installmentPlan` is set. */
  readonly amount: number;
  readonly currency: string;
  readonly initialAmount: number | null;
  readonly period: Period | null;
  readonly cyclicalPeriod: string | null;
  readonly cycle: Cycle;
  readonly scheduleSettings: ScheduleSettings;
  readonly subscriptionPlan: SubscriptionPlan | null;
  readonly installmentPlan: InstallmentPlan | null;
  readonly firstChargeAuthorizationOnly: boolean;
  readonly firstChargeCaptureAfter: string | null;
  readonly onlyDirectCurrency: boolean;
  readonly descriptor: string | null;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly status: SubscriptionStatus;
  readonly createdOn: string;
  readonly updatedOn: string;
  /** Store setting "retry count", captured at creation; includes the initial attempt. */
  readonly retryCount: number;
  /** Local hour of scheduled runs: 7, or 9 for daily plans / start_on = creation + 1 day. */
  readonly runHour: number;
  /** Grid origin: start_on (slot 1) or, without it, the first successful charge date (slot 0). */
  readonly cycleOrigin: CivilDate | null;
  readonly originSlot: 0 | 1;
  /** Failed attempts on the current payment, compared with `retryCount`. */
  readonly failedAttempts: number;
  /** A stop requested with termination_mode=on_next_payment, applied at the next run. */
  readonly pendingTermination: "suspended" | "canceled" | null;
  readonly payments: readonly ScheduledPayment[];
}

export type EngineAction =
  | {
      readonly kind: "charge";
      readonly subscriptionId: string;
      readonly paymentId: string;
      readonly transactionTokenId: string;
      readonly amount: number;
      readonly currency: string;
      /** When the charge was due; equals the run instant, or creation time for the first charge. */
      readonly dueAt: string;
      readonly isFirstCharge: boolean;
      /** First charge with first_charge_authorization_only: create it with capture=false. */
      readonly authorizationOnly: boolean;
      /** ISO duration after which the server should capture an auth-only first charge. */
      readonly captureAfter: string | null;
      readonly installmentPlan: InstallmentPlan | null;
      /** Subscription metadata is copied to its charges (`:8084`). */
      readonly metadata: Readonly<Record<string, unknown>>;
    }
  | {
      /** initial_amount = 0: no charge, only check the card (CVV-authorized recurring token). */
      readonly kind: "verify_card";
      readonly subscriptionId: string;
      readonly paymentId: string;
      readonly transactionTokenId: string;
    };

export type SubscriptionEventName =
  "subscription_created" | "subscription_payment" | "subscription_failure" | "subscription_suspended" | "subscription_canceled" | "subscription_completed";

/** The webhook `data` is the subscription object after the transition (`toApiObject`). */
export interface SubscriptionEvent {
  readonly event: SubscriptionEventName;
  readonly subscriptionId: string;
  readonly paymentId: string | null;
  readonly at: string;
}

export interface FieldError {
  readonly field: string;
  readonly reason: string;
}

/** Rejections the HTTP layer renders as 400 `{status:"error", code, errors?}`. */
export interface EngineRejection {
  readonly ok: false;
  readonly code: string;
  readonly errors?: readonly FieldError[];
}
