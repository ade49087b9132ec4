/**
 * The storage contract. Two implementations (SQLite, PostgreSQL) behind one interface, both
 * tested by test/contract/store.contract.test.ts. Flows never see SQL; the store never sees Koa.
 * Every method exists on the Store and on the transaction handle (StoreTx), so a flow can do a
 * state change and the kickback enqueue in one transaction.
 */

import type { LegacyCharset } from "../domain/legacy-charset";
import type { Mode } from "../domain/mode";

/** Where the money of a legacy payment (pid) stands. Distinct from UnivaPay's charge status and
 *  from the state of each transition. */
export const PAYMENT_STATES = [
  "requested", // row written, its creation not yet confirmed by UnivaPay
  "pending", // charge exists, UnivaPay has not settled its creation
  "authorized", // AUTH succeeded (仮売上)
  "captured", // CAPTURE (仮実同時) or SALES succeeded (実売上)
  "failed", // declined / errored; final
  "canceled", // authorisation voided
  "refunded", // captured then refunded (返品)
  "reversed", // the merchant was told it failed; UnivaPay had charged it and the gateway voided or refunded it
  "checked", // CHECK (有効性チェック) succeeded: the card is a chargeable member; no money for the merchant moved
  "imported", // the anchor of an auto-billing the migrator brought in: its first payment was on the old system; nothing to capture or cancel here
] as const;
export type PaymentState = (typeof PAYMENT_STATES)[number];

export interface PaymentRow {
  readonly pid: string; // 8 digits, minted by the store, unique for ever
  readonly sid: string;
  /** Key of the legacy request that created the payment (a repeat finds it); unique per sid. */
  readonly requestKey: string;
  readonly chargeId: string | null;
  readonly tokenId: string | null;
  readonly job: string; // legacy job of the creating request (AUTH | CAPTURE)
  readonly svid: string;
  readonly amount: number; // charge amount sent to UnivaPay (JPY)
  readonly total: number; // legacy `ta`
  readonly sod: string | null;
  /** The order the guard knows the payment by: the value of the merchant's `orderField` (sod by
   *  default) in the creating request; null when the request has none. */
  readonly orderKey: string | null;
  /** The auto-billing this payment belongs to (its first payment, or one automatic charge);
   *  absent or null for a one-time payment. Its replies and kickbacks carry acid/actp/acdc. */
  readonly recurring?: RecurringRef | null;
  readonly state: PaymentState;
  /** The order's own merchant fields (of the creating request), canonically percent-encoded in the
   *  merchant's charset ("no=1&x=%83e"); every kickback of the payment echoes them. */
  readonly echo: string;
  readonly charset: LegacyCharset;
  readonly mode: Mode;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export type NewPayment = Omit<PaymentRow, "pid" | "createdAt" | "updatedAt">;

/** What a payment's replies and kickbacks say about its auto-billing (legacy field values). */
export interface RecurringRef {
  readonly acid: string;
  readonly actp: string;
  readonly acdc: string | null;
}

/**
 * UnivaPay's subscription statuses as stored, plus `requested` (our row exists, the POST has not
 * been answered yet).
 */
export type SubscriptionStatus = "requested" | "unverified" | "current" | "unpaid" | "suspended" | "canceled" | "completed" | "unconfirmed" | "authorized";

/** A legacy auto-billing (自動課金): acid ↔ UnivaPay subscription (migration 9). */
export interface SubscriptionRow {
  /** Minted by the store: 10 random digits, first non-zero, never reused (mintAcid). */
  readonly acid: string;
  readonly sid: string;
  /** The payment of the request that asked for it (its first charge). */
  readonly firstPid: string;
  /** UnivaPay's subscription id; null until its create was answered. */
  readonly subscriptionId: string | null;
  readonly tokenId: string | null;
  readonly actp: string;
  readonly acdc: string | null;
  readonly acmc: string | null;
  /** acam1 in yen: what each automatic charge is for. */
  readonly cycleAmount: number;
  /** acrm1: automatic charges after the first; null = unlimited. */
  readonly automaticCharges: number | null;
  readonly status: SubscriptionStatus;
  /** UnivaPay's next due date (YYYY-MM-DD, zone Asia/Tokyo), as last seen. */
  readonly nextDueOn: string | null;
  /** When the reconciler looks at it again (a due cycle whose result did not arrive); null: never. */
  readonly syncAfter: Date | null;
  /** JSON array of {code, message}: where UnivaPay's schedule differs from the legacy one. */
  readonly drift: string;
  /** gateway: made by a first payment here; mapped / created: brought in by `npm run migrate` (migration 11). */
  readonly origin: SubscriptionOrigin;
  /**
   * Imported auto-billings: charges created up to this instant (ISO 8601) were known before the
   * import and are not cycles of the gateway's. Null for `gateway` rows.
   */
  readonly cyclesAfter: string | null;
  /** `created` rows: the JSON body of the create sent for it (migration 12), resent as is after a lost answer. */
  readonly createBody: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}
export type SubscriptionOrigin = "gateway" | "mapped" | "created";
export type NewSubscription = Omit<SubscriptionRow, "acid" | "createdAt" | "updatedAt" | "createBody"> & { readonly createBody?: string | null };
export type SubscriptionPatch = Partial<Pick<SubscriptionRow, "subscriptionId" | "tokenId" | "status" | "nextDueOn" | "syncAfter" | "cycleAmount">>;

/** What the order guard counts as live: payments made since `since`, `requested` ones only since
 *  `requestedSince`; a refused payment is stored failed with `errorCode`. */
export interface OrderGuardBounds {
  readonly since: Date;
  readonly requestedSince: Date;
  readonly errorCode: string;
}
export type PaymentPatch = Partial<Pick<PaymentRow, "chargeId" | "state" | "tokenId" | "mode" | "recurring">>;

/**
 * requested → pending → succeeded | failed, as UnivaPay answers. A transition whose outcome was
 * still unknown when its merchant was answered "failure" becomes `reversing`: the gateway owes the
 * merchant that nothing moved, and ends it `failed` (nothing moved, proven) or `reversed` (it had
 * moved and was voided or refunded) — without a kickback, since the merchant has its answer.
 */
export const TRANSITION_STATES = ["requested", "pending", "succeeded", "failed", "reversing", "reversed"] as const;
export type TransitionState = (typeof TRANSITION_STATES)[number];
/** Waiting for UnivaPay's outcome; settleTransition applies to these only. */
export const OPEN_TRANSITION_STATES: readonly TransitionState[] = ["requested", "pending"];
/** Work the reconciler must finish: the open states and `reversing`. */
export const UNFINISHED_TRANSITION_STATES: readonly TransitionState[] = ["requested", "pending", "reversing"];

/**
 * One legacy-visible transition of a payment: its creation (AUTH/CAPTURE), a SALES, a CANCEL, and
 * later kinds. It owns its UnivaPay resource, its state and ec, its request's echoed fields and
 * its kickback: (pid, id) is the kickback's unique key, so each settles and is notified once.
 */
export interface TransitionRow {
  /** The creation transition of payment P has id "c-P" (creationTransitionId). */
  readonly id: string;
  readonly pid: string;
  readonly sid: string;
  /** The kind module that owns it (src/transitions/kinds/…): "charge", "capture", "cancel", … */
  readonly kind: string;
  /** Canonical legacy job, shown in its reply and kickback. */
  readonly job: string;
  /** Key of the legacy request that asked for it; null for a creation (the payment holds that key)
   *  and for transitions no request asked for (e.g. a recurring cycle). Unique per sid. */
  readonly requestKey: string | null;
  /** What univapayId names: "charge", "cancel", "refund", … (null until created). */
  readonly resource: string | null;
  readonly univapayId: string | null;
  readonly state: TransitionState;
  readonly univapayStatus: string | null;
  /** Full 11-character legacy ec of its failure, e.g. "ER000T52G01"; null unless failed. */
  readonly errorCode: string | null;
  /** Merchant fields of the request that asked for it (overriding the order's in its kickback). */
  readonly echo: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}
export type NewTransition = Omit<TransitionRow, "id" | "pid" | "createdAt" | "updatedAt">;
/** What a UnivaPay answer changes on an open transition. */
export type TransitionPatch = Partial<Pick<TransitionRow, "state" | "univapayStatus" | "errorCode" | "univapayId" | "resource">>;

export function creationTransitionId(pid: string): string {
  return `c-${pid}`;
}

export type KickbackState = "pending" | "delivered" | "dead";

export interface KickbackRow {
  readonly id: string;
  readonly pid: string;
  readonly sid: string;
  /** The id of the transition this kickback reports ((pid, transition) is unique: one logical
   *  kickback per transition). Rows older than migration 4 hold "CAPTURE", "SALES:failed:…". */
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
  readonly lockedBy: string | null;
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

/** One batch-migration input (migration 10): a file of one kind for one merchant. */
export interface MigrationRunRow {
  /** Derived from sid, kind, layout, options and the file's bytes: the same file resumes its run. */
  readonly runId: string;
  readonly sid: string;
  readonly kind: string;
  readonly fileName: string;
  readonly fileSha256: string;
  /** JSON of the options that change what a row does (layout, create, …). */
  readonly options: string;
  /** JSON of the last finished pass's counts; null until one finishes. */
  readonly summary: string | null;
  readonly startedAt: Date;
  readonly updatedAt: Date;
  readonly finishedAt: Date | null;
}
export type NewMigrationRun = Pick<MigrationRunRow, "runId" | "sid" | "kind" | "fileName" | "fileSha256" | "options">;

/** The outcome of one input row, as the result file shows it. */
export interface MigrationRowRecord {
  readonly line: number;
  readonly key: string;
  readonly status: string;
  readonly newId: string | null;
  readonly errorCode: string | null;
  readonly message: string | null;
}

/** Operations available both on the store and inside a transaction. */
export interface StoreOps {
  // payments and their transitions ------------------------------------------
  /** Mints a fresh 8-digit pid (random, never reused, never sequential) and inserts the payment
   *  with its creation transition (id "c-<pid>"). If a payment with the same (sid, requestKey)
   *  exists, inserts nothing and returns it and its creation with created=false: this is what makes
   *  a repeated legacy request idempotent. */
  createPayment(p: NewPayment, creation: NewTransition): Promise<{ payment: PaymentRow; transition: TransitionRow; created: boolean }>;
  /**
   * createPayment under the order guard. The database keeps at most one live payment per (sid,
   * orderKey) (migration 8's unique index), so of concurrent requests for one order one wins the
   * insert. A holder that no longer holds by `guard`'s bounds (made before `since`, or still
   * `requested` from before `requestedSince`) gives the order up; otherwise the new payment is
   * stored failed with `guard.errorCode` and `refusedFor` names the holder. A repeat (same request
   * key) is returned as is. The common case is the one INSERT createPayment makes.
   */
  createOrderPayment(
    p: NewPayment & { orderKey: string },
    creation: NewTransition,
    guard: OrderGuardBounds,
  ): Promise<{ payment: PaymentRow; transition: TransitionRow; created: boolean; refusedFor?: string }>;
  findPayment(sid: string, pid: string): Promise<PaymentRow | undefined>;
  findPaymentByRequestKey(sid: string, requestKey: string): Promise<PaymentRow | undefined>;
  findPaymentByPid(pid: string): Promise<PaymentRow | undefined>;
  /** Ends a row's replay window: its request key is replaced by "h0:<id>" if it still is
   *  `requestKey`; true if this call changed it. */
  retireRequestKey(table: "payments" | "transitions", id: string, requestKey: string): Promise<boolean>;
  updatePayment(pid: string, patch: PaymentPatch): Promise<PaymentRow>;

  /** Inserts a transition of an existing payment unless (sid, requestKey) exists (then returns
   *  that one, created=false). */
  insertTransition(pid: string, t: NewTransition): Promise<{ row: TransitionRow; created: boolean }>;
  findTransition(id: string): Promise<TransitionRow | undefined>;
  findTransitionByRequestKey(sid: string, requestKey: string): Promise<TransitionRow | undefined>;
  /** Every transition naming this UnivaPay resource (a charge has its creation and maybe a capture). */
  listTransitionsByUnivapayId(univapayId: string): Promise<TransitionRow[]>;
  listTransitions(pid: string): Promise<TransitionRow[]>;
  /**
   * Records what UnivaPay answered for a transition still open (requested → pending; resource and
   * id), and `payment` on its payment, in one step. States never move backwards: a transition
   * already settled (a webhook came first) is returned unchanged, and so is its payment.
   */
  recordPending(id: string, patch: TransitionPatch, payment: PaymentPatch | null): Promise<{ transition: TransitionRow; payment: PaymentRow }>;
  /**
   * Settles a transition exactly once, in one store step (on PostgreSQL one statement): the
   * transition leaves its open state with `patch`, its payment takes `payment`, and `kickback`
   * (when given) is queued. Undefined when the transition was not open any more (another path
   * settled it first): nothing written. `enqueued` is false when that kickback already existed.
   */
  /**
   * Moves a transition that is in one of `from` to `patch.state`, and patches its payment, in one
   * store step, queueing no kickback (the merchant was answered: abandoning an open transition to
   * `reversing`, finishing a reversal). Undefined when it was in none of `from`: nothing written.
   */
  moveTransition(
    id: string,
    from: readonly TransitionState[],
    patch: TransitionPatch & { state: TransitionState },
    payment: PaymentPatch | null,
  ): Promise<{ transition: TransitionRow; payment: PaymentRow } | undefined>;
  settleTransition(
    id: string,
    patch: TransitionPatch & { state: "succeeded" | "failed" },
    payment: PaymentPatch | null,
    kickback: NewKickback | null,
    now: Date,
  ): Promise<{ transition: TransitionRow; payment: PaymentRow; enqueued: boolean } | undefined>;

  // member map -------------------------------------------------------------
  getMemberToken(sid: string, memberId: string): Promise<MemberTokenRow | undefined>;
  /** Another member of `sid` than `memberId` whose card is `tokenId`, if any. */
  findOtherMemberOfToken(sid: string, tokenId: string, memberId: string): Promise<MemberTokenRow | undefined>;
  putMemberToken(sid: string, memberId: string, tokenId: string): Promise<void>;
  /** Inserts the mapping unless the member has one or the token is another member's; the
   *  mapping in the way (this member's, or the token's other member) is returned with
   *  created=false and left as it is (the migrator reports, never overwrites). */
  addMemberToken(sid: string, memberId: string, tokenId: string): Promise<{ row: MemberTokenRow; created: boolean }>;

  // batch migration ----------------------------------------------------------
  /**
   * Stores a pre-switch payment under its legacy pid with its (settled) creation transition, so
   * SALES, CANCEL and kickbacks work on it. Nothing is written when the pid is taken, or the charge
   * is another imported payment's: the payment holding it is returned with created=false (it may
   * be another merchant's, or carry another pid).
   */
  importPayment(pid: string, p: NewPayment, creation: NewTransition): Promise<{ payment: PaymentRow; created: boolean }>;
  /** Starts a run, or resumes the one with this id (then unfinished again, created=false). */
  openMigrationRun(run: NewMigrationRun): Promise<{ run: MigrationRunRow; created: boolean }>;
  finishMigrationRun(runId: string, summary: string): Promise<void>;
  /** Records a row's outcome (replacing the one of an earlier attempt at the same line). */
  recordMigrationRow(runId: string, row: MigrationRowRecord): Promise<void>;
  /** The recorded outcomes of lines fromLine..toLine, by line. */
  listMigrationRows(runId: string, fromLine: number, toLine: number): Promise<MigrationRowRecord[]>;

  // auto-billings ------------------------------------------------------------
  /** Mints an acid and inserts, unless the first payment already has one (then returns that one,
   *  created=false): a repeat of the request finds its auto-billing. */
  createSubscription(s: NewSubscription): Promise<{ row: SubscriptionRow; created: boolean }>;
  findSubscription(sid: string, acid: string): Promise<SubscriptionRow | undefined>;
  findSubscriptionByFirstPid(firstPid: string): Promise<SubscriptionRow | undefined>;
  findSubscriptionByUnivapayId(subscriptionId: string): Promise<SubscriptionRow | undefined>;
  updateSubscription(acid: string, patch: SubscriptionPatch): Promise<SubscriptionRow>;
  /** Auto-billings whose sync_after has come, oldest first (the reconciler's due cycles). */
  listSubscriptionsToSync(now: Date, limit: number): Promise<SubscriptionRow[]>;
  /**
   * An auto-billing under the legacy acid it had (the migrator): inserted, or the row already
   * holding that acid, or undefined when the acid is free but the first payment has another one.
   */
  importSubscription(acid: string, s: NewSubscription): Promise<{ row: SubscriptionRow; created: true } | { row: SubscriptionRow | undefined; created: false }>;
  /**
   * Removes an imported auto-billing that UnivaPay never created (its create was refused): the row,
   * its anchor payment and that payment's transitions. Nothing else is touched: a row with a
   * subscription id, or of another origin, stays. Returns whether it removed anything.
   */
  discardImportedAutoBilling(sid: string, acid: string): Promise<boolean>;

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
   *  expired): sets locked_by/locked_until, counts the attempt (attempts + 1) and returns them.
   *  PostgreSQL: FOR UPDATE SKIP LOCKED. */
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

  /** Claims due webhook events for workerId, like claimDueKickbacks (attempts counted at claim). */
  claimDueWebhookEvents(workerId: string, now: Date, limit: number, lockMs: number): Promise<WebhookEventRow[]>;

  /** Open transitions (requested | pending) not updated since `before`, oldest first (reconciliation). */
  listStaleTransitions(before: Date, limit: number): Promise<TransitionRow[]>;
  /** Stamps updated_at only, so a transition that could not be reconciled goes to the back of the line. */
  touchTransition(id: string): Promise<void>;
  /** Applies the outcome iff the event is still claimed by workerId (resolves false: lock lost,
   *  nothing written). */
  completeWebhookEvent(
    workerId: string,
    id: string,
    outcome: { kind: "processed" | "ignored"; note?: string } | { kind: "retry"; nextAttemptAt: Date; error: string } | { kind: "dead"; error: string },
  ): Promise<boolean>;

  /** When the newest payment/transition whose request key predates the HMAC keys was created. */
  newestPriorKeyRow(): Promise<Date | undefined>;
  /** Replaces the pre-HMAC request keys of rows created before `before`; returns the count. */
  retirePriorKeys(before: Date): Promise<number>;

  /** Counts for /metrics and /readyz. */
  queueDepths(now: Date): Promise<{ kickbacksPending: number; kickbacksDead: number; webhooksPending: number; reversalsPending: number }>;
  /** The latest reversing and reversed transitions (answered failure while the outcome was
   *  unknown), newest change first: the operator's view of reversals. */
  listReversals(limit: number): Promise<TransitionRow[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
