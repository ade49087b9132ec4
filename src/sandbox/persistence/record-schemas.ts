/**
 * zod schemas of the records the state file holds (merchants, stores, app tokens, tokens, charges,
 * refunds, cancels, webhooks, idempotency records), typed against the in-memory models so a model
 * change that the file format does not follow fails to compile. Card numbers must already be in
 * their persistable form (card-surrogate.ts). Validation only: nothing here reads or writes files.
 */
import { z } from "zod";
import type { IdempotencyRecord } from "../idempotency";
import type { CancelRecord, ChargeRecord, MerchantRecord, PaymentError, RefundRecord, StoreRecord, TokenRecord, WebhookRecord } from "../state/models";
import type { AppTokenRecord } from "../state/sandbox-state";
import { isPersistableCardNumber } from "./card-surrogate";

/** Epoch milliseconds. */
const Ms = z.number().int();
const Id = z.string().min(1);
const Mode = z.enum(["test", "live"]);
const TokenType = z.enum(["one_time", "recurring", "subscription"]);
const Metadata = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));
const CardNumber = z.string().refine(isPersistableCardNumber, { error: "is neither a documented test card nor a masked card number" });
const ChildStatus = z.enum(["pending", "successful", "failed", "error"]);

const PaymentErrorSchema: z.ZodType<PaymentError> = z.object({ code: z.number().int(), message: z.string(), details: z.string() });

export const MerchantSchema: z.ZodType<MerchantRecord> = z.object({ id: Id, name: z.string(), email: z.string(), createdAt: Ms });

export const StoreSchema: z.ZodType<StoreRecord> = z.object({
  id: Id,
  seq: z.number().int(),
  merchantId: Id,
  name: z.string(),
  mode: Mode,
  pci: z.boolean(),
  recurringPrivilege: z.enum(["none", "bounded", "infinite"]),
  verified: z.boolean(),
  createdAt: Ms,
});

export const AppTokenSchema: z.ZodType<AppTokenRecord> = z.object({ jti: Id, storeId: Id, secret: z.string().min(1), jwt: z.string().min(1) });

export const TokenSchema: z.ZodType<TokenRecord> = z.object({
  id: Id,
  seq: z.number().int(),
  storeId: Id,
  merchantId: Id,
  mode: Mode,
  type: TokenType,
  usageLimit: z.enum(["daily", "weekly", "monthly", "annually"]).nullable(),
  email: z.string(),
  metadata: Metadata,
  ipAddress: z.string().nullable(),
  card: z.object({ number: CardNumber, cardholder: z.string(), expMonth: z.number().int(), expYear: z.number().int(), brand: z.string() }),
  billing: z.object({
    line1: z.string().nullable(),
    line2: z.string().nullable(),
    state: z.string().nullable(),
    city: z.string().nullable(),
    country: z.string().nullable(),
    zip: z.string().nullable(),
    phoneNumber: z.object({ countryCode: z.number().int(), localNumber: z.string() }).nullable(),
  }),
  cvvAuthorize: z.object({
    enabled: z.boolean(),
    status: z.enum(["pending", "current", "failed", "inactive"]).nullable(),
    chargeId: z.string().nullable(),
    currency: z.string().nullable(),
  }),
  active: z.boolean(),
  createdAt: Ms,
  updatedAt: Ms,
  lastUsedAt: Ms.nullable(),
  cvvSuppliedAt: Ms,
});

export const ChargeSchema: z.ZodType<ChargeRecord> = z.object({
  id: Id,
  seq: z.number().int(),
  storeId: Id,
  merchantId: Id,
  tokenId: Id,
  tokenType: TokenType,
  subscriptionId: z.string().nullable(),
  requestedAmount: z.number().int(),
  requestedCurrency: z.string(),
  chargedAmount: z.number().int().nullable(),
  chargedCurrency: z.string().nullable(),
  capture: z.boolean(),
  captureAt: Ms.nullable(),
  status: z.enum(["pending", "awaiting", "authorized", "successful", "failed", "error", "canceled"]),
  error: PaymentErrorSchema.nullable(),
  metadata: Metadata,
  mode: Mode,
  descriptor: z.string().nullable(),
  onlyDirectCurrency: z.boolean(),
  createdAt: Ms,
  updatedAt: Ms,
  authorizedAmount: z.number().int().nullable(),
  isCvvAuth: z.boolean(),
  pendingOp: z.enum(["create", "capture"]).nullable(),
  forcedError: PaymentErrorSchema.optional(),
  cancelPending: z.boolean(),
  card: z.object({ chargeFails: z.boolean(), refundFails: z.boolean(), cancelFails: z.boolean() }),
  payer: z.object({
    cardNumber: CardNumber,
    cardholder: z.string(),
    expMonth: z.number().int(),
    expYear: z.number().int(),
    brand: z.string(),
    email: z.string(),
    phoneDigits: z.string().nullable(),
    localPhoneDigits: z.string().nullable(),
  }),
  threeDs: z
    .object({ mode: z.enum(["normal", "force", "skip", "if_available", "require"]), status: z.enum(["awaiting", "successful", "failed"]).nullable() })
    .optional(),
});

export const RefundSchema: z.ZodType<RefundRecord> = z.object({
  id: Id,
  seq: z.number().int(),
  storeId: Id,
  chargeId: Id,
  status: ChildStatus,
  amount: z.number().int(),
  currency: z.string(),
  reason: z.string().nullable(),
  message: z.string().nullable(),
  error: PaymentErrorSchema.nullable(),
  metadata: Metadata,
  mode: Mode,
  createdAt: Ms,
});

export const CancelSchema: z.ZodType<CancelRecord> = z.object({
  id: Id,
  seq: z.number().int(),
  storeId: Id,
  chargeId: Id,
  status: ChildStatus,
  error: PaymentErrorSchema.nullable(),
  metadata: Metadata,
  mode: Mode,
  createdAt: Ms,
});

export const WebhookSchema: z.ZodType<WebhookRecord> = z.object({
  id: Id,
  seq: z.number().int(),
  merchantId: Id,
  storeId: Id,
  triggers: z.array(z.string()),
  url: z.string(),
  authToken: z.string().nullable(),
  active: z.boolean(),
  createdAt: Ms,
  updatedAt: Ms,
});

export const IdempotencyRecordSchema: z.ZodType<IdempotencyRecord> = z.object({
  scope: Id,
  key: z.string().min(1),
  method: z.string().min(1),
  path: z.string().min(1),
  createdAt: Ms,
  // The body came out of JSON.parse, so it is JSON already; walking it again (z.json()) made
  // idempotency records cost 50× a charge to load. Only its presence is checked.
  response: z.object({ status: z.number().int(), body: z.unknown().refine((b) => b !== undefined, { error: "is missing" }) }),
});
