/**
 * The storage contract. Two implementations (SQLite, PostgreSQL) behind one interface, both
 * tested by test/contract/store.contract.test.ts. Flows never see SQL; the store never sees Koa.
 * Every method exists on the Store and on the transaction handle (StoreTx), so a flow can do a
 * state change and the kickback enqueue in one transaction.
 */

export type LegacyCharset = "UTF-8" | "Shift_JIS";
export type Mode = "test" | "live";

/** Our own lifecycle of a legacy payment (pid). Distinct from UnivaPay's charge status. */
export const PAYMENT_STATES = [
  "requested", // row written, create-charge call not yet confirmed
  "pending", // charge exists, UnivaPay has not settled it
  "authorized", // AUTH succeeded (仮売上)
  "captured", // CAPTURE (仮実同時) or SALES succeeded (実売上)
  "failed", // declined / errored; final
  "canceled", // authorisation voided
  "refunded", // captured then refunded (返品)
] as const;
export type PaymentState = (typeof PAYMENT_STATES)[number];

export interface PaymentRow {
  readonly pid: string; // 8 digits, minted by the store, unique for ever
  readonly sid: string;
  /** Idempotency key derived from the legacy request; unique per sid. */
  readonly requestKey: string;
  readonly chargeId: string | null;
  readonly tokenId: string | null;
  readonly job: string; // legacy job of the creating request (AUTH | CAPTURE)
  readonly svid: string;
  readonly amount: number; // charge amount sent to UnivaPay (JPY)
  readonly total: number; // legacy `ta`
  readonly sod: string | null;
  readonly state: PaymentState;
  readonly univapayStatus: string | null;
  /** Full 11-character legacy ec of the last failure, e.g. "ER000T52G01"; null when none. */
  readonly errorCode: string | null;
  /** Echoed merchant fields, canonically percent-encoded in the merchant's charset ("no=1&x=%83e"). */
  readonly echo: string;
  readonly charset: LegacyCharset;
  readonly mode: Mode;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export type NewPayment = Omit<PaymentRow, "pid" | "createdAt" | "updatedAt">;
export type PaymentPatch = Partial<
  Pick<PaymentRow, "chargeId" | "state" | "univapayStatus" | "errorCode" | "tokenId" | "mode">
>;
/** What settling a payment sets: always these five columns (mode: what UnivaPay says the charge is). */
export type SettlePatch = Required<Pick<PaymentPatch, "state" | "univapayStatus" | "chargeId" | "errorCode" | "mode">>;

/** A follow-up operation on an existing pid (payment.aspx job=SALES|CANCEL). */
export interface OperationRow {
  readonly id: string;
  readonly pid: string;
  readonly sid: string;
  readonly requestKey: string; // unique per sid
  readonly job: string; // SALES | CANCEL
  readonly kind: "capture" | "cancel" | "refund";
  readonly univapayId: string | null; // cancel id / refund id (capture has none)
  readonly state: "requested" | "pending" | "succeeded" | "failed";
  readonly errorCode: string | null;
  /** Echoed merchant fields of this request (same encoding as PaymentRow.echo). */
  readonly echo: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}
export type NewOperation = Omit<OperationRow, "id" | "createdAt" | "updatedAt">;
export type OperationPatch = Partial<Pick<OperationRow, "univapayId" | "state" | "errorCode">>;

export type KickbackState = "pending" | "delivered" | "dead";

export interface KickbackRow {
  readonly id: string;
  readonly pid: string;
  readonly sid: string;
  /** The legacy transition this kickback reports, e.g. "CAPTURE", "AUTH", "SALES", "CANCEL", "FAILED".
   *  (pid, transition) is unique: exactly one logical kickback per transition. */
  readonly transition: string;
  readonly url: string;
  /** Pre-rendered query string (ASCII, percent-encoded in the merchant's charset). */
  readonly query: string;
  readonly state: KickbackState;
  readonly attempts: number;
  readonly nextAttemptAt: Date;
  /** Trigger of the next attempt: "manual" after requeueKickback until that attempt completes.
   *  (Added by the store owner; optional so hand-built rows stay valid. Absent means "auto".) */
  readonly nextTrigger?: "auto" | "manual";
  readonly lockedBy: string | null;
  readonly lockedUntil: Date | null;
  readonly lastStatus: number | null;
  readonly lastError: string | null;
  readonly createdAt: Date;
  readonly deliveredAt: Date | null;
}
export type NewKickback = Pick<KickbackRow, "pid" | "sid" | "transition" | "url" | "query">;

export interface KickbackAttemptRow {
  readonly id: string;
  readonly kickbackId: string;
  readonly attemptNo: number;
  readonly url: string;
  readonly statusCode: number | null; // null: no HTTP answer (timeout, refused, …)
  readonly durationMs: number;
  readonly bodyHead: string; // first bytes of the answer (≤ 1 KiB, latin1)
  readonly error: string | null;
  readonly trigger: "auto" | "manual";
  readonly at: Date;
}
export type NewKickbackAttempt = Omit<KickbackAttemptRow, "id">;

export type KickbackOutcome = { kind: "delivered" } | { kind: "retry"; nextAttemptAt: Date } | { kind: "dead" };

export type WebhookEventState = "pending" | "processed" | "ignored" | "dead";

export interface WebhookEventRow {
  readonly id: string;
  readonly sid: string;
  /** De-duplication key, unique per merchant (sid): the UnivaPay event id when present, else
   *  event:data.id:data.status. */
  readonly dedupeKey: string;
  readonly event: string;
  readonly resourceId: string | null;
  readonly body: string; // raw JSON as received
  readonly state: WebhookEventState;
  readonly attempts: number;
  readonly nextAttemptAt: Date;
  readonly lockedUntil: Date | null;
  readonly lastError: string | null;
  readonly receivedAt: Date;
}
export type NewWebhookEvent = Pick<WebhookEventRow, "sid" | "dedupeKey" | "event" | "resourceId" | "body">;

export interface MemberTokenRow {
  readonly sid: string;
  readonly memberId: string; // legacy upcmemberid
  readonly tokenId: string; // UnivaPay transaction token id (recurring)
  readonly createdAt: Date;
}

/** Operations available both on the store and inside a transaction. */
export interface StoreOps {
  // payments ---------------------------------------------------------------
  /** Mints a fresh 8-digit pid (random, never reused, never sequential) and inserts the row.
   *  If a row with the same (sid, requestKey) exists, inserts nothing and returns that row with
   *  created=false: this is what makes a repeated legacy request idempotent. */
  insertPayment(p: NewPayment): Promise<{ row: PaymentRow; created: boolean }>;
  findPayment(sid: string, pid: string): Promise<PaymentRow | undefined>;
  findPaymentByRequestKey(sid: string, requestKey: string): Promise<PaymentRow | undefined>;
  findPaymentByPid(pid: string): Promise<PaymentRow | undefined>;
  findPaymentByChargeId(chargeId: string): Promise<PaymentRow | undefined>;
  updatePayment(pid: string, patch: PaymentPatch): Promise<PaymentRow>;
  /** Applies `patch` only while the payment is in one of `fromStates` (one conditional UPDATE);
   *  returns the updated row, or undefined when the payment is in another state (or absent). */
  transitionPayment(pid: string, fromStates: readonly PaymentState[], patch: PaymentPatch): Promise<PaymentRow | undefined>;
  /** transitionPayment and enqueueKickback as one atomic step (on PostgreSQL one statement, one
   *  round trip): the payment leaves `fromStates` and its kickback is queued, or nothing happens
   *  (undefined: the payment was in another state). `enqueued` is false when (pid, transition)
   *  was already queued. */
  settlePayment(
    pid: string,
    fromStates: readonly PaymentState[],
    patch: SettlePatch,
    kickback: NewKickback,
    now: Date,
  ): Promise<{ row: PaymentRow; enqueued: boolean } | undefined>;

  // operations -------------------------------------------------------------
  insertOperation(o: NewOperation): Promise<{ row: OperationRow; created: boolean }>;
  findOperation(id: string): Promise<OperationRow | undefined>;
  findOperationByRequestKey(sid: string, requestKey: string): Promise<OperationRow | undefined>;
  findOperationByUnivapayId(univapayId: string): Promise<OperationRow | undefined>;
  listOperations(pid: string): Promise<OperationRow[]>;
  updateOperation(id: string, patch: OperationPatch): Promise<OperationRow>;

  // member map -------------------------------------------------------------
  getMemberToken(sid: string, memberId: string): Promise<MemberTokenRow | undefined>;
  putMemberToken(sid: string, memberId: string, tokenId: string): Promise<void>;

  // kickback outbox --------------------------------------------------------
  /** Inserts unless (pid, transition) exists; returns whether a row was inserted. */
  enqueueKickback(k: NewKickback, now: Date): Promise<boolean>;
  findKickback(id: string): Promise<KickbackRow | undefined>;
  listKickbacks(pid: string): Promise<KickbackRow[]>;
  listAttempts(kickbackId: string): Promise<KickbackAttemptRow[]>;

  // webhook inbox ----------------------------------------------------------
  /** Inserts unless (sid, dedupeKey) exists; returns whether a row was inserted. */
  insertWebhookEvent(e: NewWebhookEvent, now: Date): Promise<boolean>;
  findWebhookEvent(id: string): Promise<WebhookEventRow | undefined>;
}

export interface Store extends StoreOps {
  readonly dialect: "sqlite" | "postgres";
  /** Runs fn in one database transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T>;

  // Queue operations run in their own short transactions --------------------
  /** Claims up to `limit` due pending kickbacks (next_attempt_at <= now and not locked, or lock
   *  expired): sets locked_by/locked_until and returns them. PostgreSQL: FOR UPDATE SKIP LOCKED. */
  claimDueKickbacks(workerId: string, now: Date, limit: number, lockMs: number): Promise<KickbackRow[]>;
  /** Records one attempt row and applies the outcome to the kickback in one transaction:
   *  delivered / retry at nextAttemptAt / dead. Clears the lock. Only applies if still locked by workerId.
   *  Resolves true when applied, false when ignored (lock lost to another worker: nothing written). */
  completeKickbackAttempt(workerId: string, attempt: NewKickbackAttempt, outcome: KickbackOutcome): Promise<boolean>;
  /** The same for several attempts in ONE transaction (the dispatcher's group commit): one
   *  commit instead of one per kickback. Answers per item, in order. */
  completeKickbackAttempts(workerId: string, items: ReadonlyArray<{ attempt: NewKickbackAttempt; outcome: KickbackOutcome }>): Promise<boolean[]>;
  /** Operator action: make a kickback due now again (dead or delivered → pending). */
  requeueKickback(id: string, now: Date): Promise<boolean>;

  claimDueWebhookEvents(now: Date, limit: number, lockMs: number): Promise<WebhookEventRow[]>;

  /** Open payments (requested | pending) not updated since `before`, oldest first (reconciliation). */
  listStalePayments(before: Date, limit: number): Promise<PaymentRow[]>;
  /** Open operations (requested | pending) not updated since `before`, oldest first. */
  listStaleOperations(before: Date, limit: number): Promise<OperationRow[]>;
  /** Stamps updated_at only, so a row that could not be reconciled goes to the back of the line. */
  touchPayment(pid: string): Promise<void>;
  touchOperation(id: string): Promise<void>;
  completeWebhookEvent(
    id: string,
    outcome:
      | { kind: "processed" | "ignored"; note?: string }
      | { kind: "retry"; nextAttemptAt: Date; error: string }
      | { kind: "dead"; error: string },
  ): Promise<void>;

  /** When the newest payment/operation whose request key predates the HMAC keys was created. */
  newestPriorKeyRow(): Promise<Date | undefined>;
  /** Replaces the pre-HMAC request keys of rows created before `before`; returns the count. */
  retirePriorKeys(before: Date): Promise<number>;

  /** Counts for /metrics and /readyz. */
  queueDepths(now: Date): Promise<{ kickbacksPending: number; kickbacksDead: number; webhooksPending: number }>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
