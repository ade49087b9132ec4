/**
 * Internal records of the simulated API (camelCase, epoch-ms times). They hold data the wire never
 * shows (the full card number, which decides test-card behaviour; secrets), so routes must render
 * them through state/render.ts and never send a record as is.
 */
import type { CardBehaviour } from "../test-cards";

export type Mode = "test" | "live";
export type RecurringPrivilege = "none" | "bounded" | "infinite";
export type TokenType = "one_time" | "recurring" | "subscription";
export type UsageLimit = "daily" | "weekly" | "monthly" | "annually";
export type CvvAuthStatus = "pending" | "current" | "failed" | "inactive";
export type ChargeStatus = "pending" | "awaiting" | "authorized" | "successful" | "failed" | "error" | "canceled";
export type ChildStatus = "pending" | "successful" | "failed" | "error";
export type Metadata = Record<string, string | number | boolean | null>;

/** `three_ds.mode` of a charge (univapay-node ChargeThreeDsMode, less "provided"). */
export type ThreeDsMode = "normal" | "force" | "skip" | "if_available" | "require";
/** Where the shopper's 3-D Secure step stands; null when none ran (skip/normal in the sandbox). */
export type ThreeDsStatus = "awaiting" | "successful" | "failed" | null;

export interface ChargeThreeDs {
  readonly mode: ThreeDsMode;
  status: ThreeDsStatus;
}

export interface PaymentError {
  readonly code: number;
  readonly message: string;
  readonly details: string;
}

export interface MerchantRecord {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly createdAt: number;
}

export interface StoreRecord {
  readonly id: string;
  readonly seq: number;
  readonly merchantId: string;
  readonly name: string;
  readonly mode: Mode;
  readonly pci: boolean;
  readonly recurringPrivilege: RecurringPrivilege;
  /** Account review done; a live store that is not gets LIVE_MODE_NOT_ENABLED_WHEN_UNVERIFIED. */
  readonly verified: boolean;
  readonly createdAt: number;
}

export interface CardData {
  /** Kept only to decide test-card outcomes and the 30-s duplicate rule; never rendered. */
  readonly number: string;
  cardholder: string;
  readonly expMonth: number;
  readonly expYear: number;
  readonly brand: string;
}

export interface BillingData {
  line1: string | null;
  line2: string | null;
  state: string | null;
  city: string | null;
  country: string | null;
  zip: string | null;
  phoneNumber: { countryCode: number; localNumber: string } | null;
}

export interface TokenRecord {
  readonly id: string;
  readonly seq: number;
  readonly storeId: string;
  readonly merchantId: string;
  readonly mode: Mode;
  readonly type: TokenType;
  readonly usageLimit: UsageLimit | null;
  email: string;
  metadata: Metadata;
  readonly ipAddress: string | null;
  readonly card: CardData;
  billing: BillingData;
  cvvAuthorize: { enabled: boolean; status: CvvAuthStatus | null; chargeId: string | null; currency: string | null };
  /** False once a one_time/subscription token is used, or after delete. */
  active: boolean;
  readonly createdAt: number;
  updatedAt: number;
  lastUsedAt: number | null;
  /** When a CVV was last supplied (create or PATCH data.cvv): it is only usable for 5 minutes. */
  cvvSuppliedAt: number;
}

/**
 * The payer as the token showed it when the charge was made: the charge-list and
 * transaction-history filters need it even after the token is deleted. Never rendered as is.
 */
export interface ChargePayer {
  readonly cardNumber: string;
  readonly cardholder: string;
  readonly expMonth: number;
  readonly expYear: number;
  readonly brand: string;
  readonly email: string;
  /** Billing phone as "{country_code}{local_number}" digits, or null. */
  readonly phoneDigits: string | null;
  readonly localPhoneDigits: string | null;
}

export interface ChargeRecord {
  readonly id: string;
  readonly seq: number;
  readonly storeId: string;
  readonly merchantId: string;
  readonly tokenId: string;
  readonly tokenType: TokenType;
  readonly subscriptionId: string | null;
  readonly requestedAmount: number;
  readonly requestedCurrency: string;
  chargedAmount: number | null;
  chargedCurrency: string | null;
  readonly capture: boolean;
  readonly captureAt: number | null;
  status: ChargeStatus;
  error: PaymentError | null;
  metadata: Metadata;
  readonly mode: Mode;
  descriptor: string | null;
  readonly onlyDirectCurrency: boolean;
  readonly createdAt: number;
  updatedAt: number;
  /** Amount on hold while authorized. */
  authorizedAmount: number | null;
  /** The 1-yen CVV authorization of a recurring token: never capturable. */
  readonly isCvvAuth: boolean;
  /** What the pending state is waiting for. */
  pendingOp: "create" | "capture" | null;
  /** A payment error the settlement must produce whatever the card (the 311 duplicate variant). */
  forcedError?: PaymentError;
  /** Set while a cancel is pending, so capture and a second cancel are refused. */
  cancelPending: boolean;
  /** Test-card behaviour fixed at creation, so refunds and cancels still know it after the token is deleted. */
  readonly card: CardBehaviour;
  readonly payer: ChargePayer;
  /** Only on charges made through the link form with a `threeDsMode` (API charges have none). */
  threeDs?: ChargeThreeDs;
}

export interface RefundRecord {
  readonly id: string;
  readonly seq: number;
  readonly storeId: string;
  readonly chargeId: string;
  status: ChildStatus;
  readonly amount: number;
  readonly currency: string;
  readonly reason: string | null;
  readonly message: string | null;
  error: PaymentError | null;
  metadata: Metadata;
  readonly mode: Mode;
  readonly createdAt: number;
}

export interface CancelRecord {
  readonly id: string;
  readonly seq: number;
  readonly storeId: string;
  readonly chargeId: string;
  status: ChildStatus;
  error: PaymentError | null;
  metadata: Metadata;
  readonly mode: Mode;
  readonly createdAt: number;
}

export interface WebhookRecord {
  readonly id: string;
  readonly seq: number;
  readonly merchantId: string;
  readonly storeId: string;
  triggers: string[];
  url: string;
  authToken: string | null;
  active: boolean;
  readonly createdAt: number;
  updatedAt: number;
}
