/**
 * The state file format, version 1 (JSON Lines, one JSON object per line, UTF-8):
 *
 *   line 1   {"t":"header","format":"univapay-sandbox-state","version":1,…}  jwt key, platform id, demo store
 *   then     batches: record lines ({"t":"charge","v":{…}}, {"t":"del","id":…}, …) closed by
 *            {"t":"end","seq":…,"at":…,"real":…}
 *
 * The first batch is a full snapshot; each later batch holds only what changed (last write wins).
 * A batch counts only once its end line is on disk, so a crash mid-append loses that batch and
 * nothing else. This module owns the line shapes and their validation; it never does I/O.
 */
import { z } from "zod";
import {
  AppTokenSchema,
  CancelSchema,
  ChargeSchema,
  IdempotencyRecordSchema,
  MerchantSchema,
  RefundSchema,
  StoreSchema,
  TokenSchema,
  WebhookSchema,
} from "./record-schemas";
import { SubscriptionStateSchema } from "./subscription-state-schema";

export const STATE_FILE_FORMAT = "univapay-sandbox-state";
export const STATE_FILE_VERSION = 1;

/** Only what is needed to tell "not ours" and "another version" apart from "broken". */
export const HeaderProbeSchema = z.object({ t: z.literal("header"), format: z.literal(STATE_FILE_FORMAT), version: z.unknown() });

export const HeaderSchema = z.object({
  t: z.literal("header"),
  format: z.literal(STATE_FILE_FORMAT),
  version: z.literal(STATE_FILE_VERSION),
  /** When this snapshot was written (ISO). */
  snapshotAt: z.string(),
  /** HS256 key of every app token the sandbox issued (base64url). */
  jwtKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/, { error: "is not a base64url 32-byte key" }),
  platformId: z.string().min(1),
  demo: z.object({ storeId: z.string().min(1), jti: z.string().min(1) }),
});
export type HeaderLine = z.infer<typeof HeaderSchema>;

export const EndSchema = z.object({
  t: z.literal("end"),
  /** The last sequence number handed out. */
  seq: z.number().int().nonnegative(),
  /** Sandbox time and real time (epoch ms) when the batch was taken. */
  at: z.number().int(),
  real: z.number().int(),
});
export type EndLine = z.infer<typeof EndSchema>;

export const RecordLineSchema = z.discriminatedUnion("t", [
  z.object({ t: z.literal("merchant"), v: MerchantSchema }),
  z.object({ t: z.literal("store"), v: StoreSchema }),
  z.object({ t: z.literal("app_token"), v: AppTokenSchema }),
  z.object({ t: z.literal("token"), v: TokenSchema }),
  /** paymentId: the subscription's scheduled payment the charge belongs to. */
  z.object({ t: z.literal("charge"), v: ChargeSchema, paymentId: z.string().optional() }),
  z.object({ t: z.literal("refund"), v: RefundSchema }),
  z.object({ t: z.literal("cancel"), v: CancelSchema }),
  z.object({ t: z.literal("webhook"), v: WebhookSchema }),
  z.object({ t: z.literal("subscription"), v: SubscriptionStateSchema }),
  z.object({ t: z.literal("customer"), k: z.string().min(1), v: z.string().min(1) }),
  /** A test-mode recurring token removed after its month (§6). */
  z.object({ t: z.literal("purged"), id: z.string().min(1) }),
  /** A deleted record (token, webhook). */
  z.object({ t: z.literal("del"), id: z.string().min(1) }),
  z.object({ t: z.literal("idem"), v: IdempotencyRecordSchema }),
  EndSchema,
]);
export type RecordLine = z.infer<typeof RecordLineSchema>;
