/**
 * The fixed slots of one kind of legacy-visible transition (a charge's creation, a capture, a
 * cancel; later recurring cycles, hosted-page returns, …). A kind is one module; the engine
 * (run-transition, settle-transition), the webhook processor and the reconciler only ever call
 * these slots, so adding a kind is its module, its rows in mappings/operations.yaml, and nothing
 * else. Kinds hold no state: the store does.
 */
import type { Merchant } from "../config/merchants";
import type { LegacyResult } from "../domain/legacy-result";
import type { GatewayErrorKey, LegacyFailure, MappingTable } from "../mapping";
import type { CompiledOperation } from "../mapping/mapping-table";
import type { LegacyRequest } from "./legacy-request";
import type { Logger } from "../logging/logger";
import type { PaymentPatch, PaymentRow, Store, TransitionRow } from "../store/store-types";
import type { UnivapayClient } from "../univapay/univapay-client";
import type { SettleSignals } from "./settle-signals";

/** What a reverse slot found or did (see TransitionKind.reverse). */
export type Reversal = "reversed" | "pending" | "nothing_moved";

/** What a kind's slots are given: the store, UnivaPay, the mapping table and the clock. */
export interface KindContext {
  readonly store: Store;
  readonly client: UnivapayClient;
  readonly table: MappingTable;
  readonly logger: Logger;
  readonly now: () => Date;
  /** A legacy request's end-to-end answer deadline (ANSWER_DEADLINE_MS), from its receipt. */
  readonly answerDeadlineMs: number;
  /** At most this long of it is spent waiting for a pending resource (UNIVAPAY_POLL_DEADLINE_MS). */
  readonly pollDeadlineMs: number;
  /** An identical request within this long of the first is its replay (REPLAY_WINDOW_MS). */
  readonly replayWindowMs: number;
  /** The order guard's window (ORDER_GUARD_WINDOW_MS; 0: off). */
  readonly orderGuardWindowMs: number;
  /** Called after a kickback was enqueued, so the dispatcher sends it without waiting for its poll. */
  readonly onKickbackEnqueued: () => void;
  /** Wakes a waiting request when the webhook processor changed its transition. */
  readonly signals: SettleSignals;
  /** How long a link-method payment may stay unpaid on UnivaPay's form (HOSTED_LINK_TTL_MS). */
  readonly hostedLinkTtlMs: number;
}

/** A payment and the transition of it a request (or an event) is about. */
export interface Subject {
  readonly payment: PaymentRow;
  readonly transition: TransitionRow;
}

/** What open() found or made, plus whatever create() will need that the rows do not hold. */
export interface Opened<P = unknown> extends Subject {
  readonly plan: P;
}

export type OpenResult<P> = { ok: true; opened: Opened<P> } | { ok: false; failures: LegacyFailure[]; pid?: string };

/** What create() made at UnivaPay: written before the wait by kinds without `recover`, else with
 *  the outcome (run-transition). */
export interface Created {
  readonly resource: string;
  readonly univapayId: string;
}

/** What a fetched resource says about its transition. "unknown" never becomes success. */
export interface Verdict {
  readonly outcome: "success" | "failure" | "pending" | "unknown";
  readonly ec: string | null;
  readonly univapayStatus: string | null;
}

export interface TransitionKind<P = unknown, R = unknown> {
  /** Stored in transitions.kind. */
  readonly name: string;
  /** The `action`s of mappings/operations.yaml this kind serves. */
  readonly actions: readonly string[];
  /** UnivaPay webhook events about the resources its transitions point at. */
  readonly events: readonly string[];
  /** Problems of an operations.yaml row for this kind (a setting the kind needs, …). */
  checkRow(row: CompiledOperation): string[];
  /** A legacy request: validate it through the mapping table, then find its payment and
   *  transition (a repeat finds the stored ones) or make them. Refusals are legacy failures. */
  open(ctx: KindContext, req: LegacyRequest): Promise<OpenResult<P>>;
  /** The POST to UnivaPay, with an Idempotency-Key derived from the request (a resend after an
   *  unknown outcome re-sends it). Throws the client's AppError. */
  create(ctx: KindContext, merchant: Merchant, opened: Opened<P>): Promise<Created>;
  /** The resource now; with `waitUntil` (epoch ms), long-polls until judge() is final or then. */
  fetch(ctx: KindContext, merchant: Merchant, subject: Subject, waitUntil?: number): Promise<R>;
  /** Pure: the transition's outcome according to the resource. */
  judge(table: MappingTable, subject: Subject, resource: R): Verdict;
  /** Pure: what the payment becomes with this outcome (null: unchanged). `resource` is undefined
   *  when UnivaPay refused the create, or its answer has not been fetched. */
  after(subject: Subject, resource: R | undefined, outcome: "success" | "failure" | "pending"): PaymentPatch | null;
  /** The resource's id and type, as settling records them. */
  identify(resource: R): Created;
  /**
   * The resource as an authenticated webhook of this merchant's store reports it, when the body
   * is a complete one (undefined: fetch it). The processor settles from it without a GET: at a
   * sale peak the merchant's GET budget (1,200/min) is less than half its charge budget.
   */
  fromEvent?(event: string, data: unknown): R | undefined;
  /** A webhook event about a resource no transition names yet (its create answer was lost, or the
   *  webhook came first): the open transition it belongs to, found through our metadata, with the
   *  resource (`reported`: from the webhook body, else fetched). */
  adopt?(
    ctx: KindContext,
    merchant: Merchant,
    event: string,
    data: { id: string; [k: string]: unknown },
    reported?: R,
  ): Promise<(Subject & { resource: R }) | undefined>;
  /**
   * For a transition whose merchant was answered "failure" while its outcome was unknown, once its
   * resource turned out to have moved money: undo it (void an authorisation, refund a capture)
   * under an Idempotency-Key derived from the transition, so a retry after a crash replays it.
   * Called with every final resource, and with a still-pending one once the proof window
   * (NOT_CREATED_PROOF_MS) has passed: "nothing_moved" when it did not go through, "reversed" when
   * the money is back, "pending" while the undo (or the resource) is under way. A kind without it
   * is never abandoned: its unknown outcomes are answered pending (rst=0).
   */
  reverse?(ctx: KindContext, merchant: Merchant, subject: Subject, resource: R): Promise<Reversal>;
  /**
   * A resource with our metadata that did not become its transition's (it lost the race to another
   * one: two tabs paid the same hosted payment): undo it. Called by apply-resource once the
   * transition is finished with another resource. A kind without it never has two candidates.
   */
  releaseStray?(ctx: KindContext, merchant: Merchant, resource: R): Promise<void>;
  /** For the reconciler: the resource of an open transition that never learned its UnivaPay id. */
  recover?(ctx: KindContext, merchant: Merchant, subject: Subject): Promise<R | undefined>;
  /** The legacy view of the transition, for its reply and kickback. */
  reply(table: MappingTable, subject: Subject): LegacyResult;
  /**
   * A kind whose request is not answered when it is made (the link method: the shopper is still on
   * UnivaPay's form): how long its transition stays open before it is abandoned, instead of the
   * answer deadline.
   */
  openForMs?(ctx: KindContext): number;
  /** Abandoning this kind's transition queues its failure kickback with this error (the merchant
   *  was never answered); without it abandoning is silent (the merchant had its answer). */
  readonly abandonNotice?: GatewayErrorKey;
  /** false: its settlement queues no kickback (the auto-billing management jobs, answered
   *  synchronously only: the old protocol has no notification for them). Default true. */
  readonly notifies?: boolean;
  /**
   * A request this kind answers without a transition (a query: it moves no money and changes
   * nothing, so there is nothing to make idempotent or to settle). When present, the engine calls
   * it instead of open/create/fetch.
   */
  answer?(ctx: KindContext, req: LegacyRequest): Promise<{ ok: true; result: LegacyResult } | { ok: false; failures: LegacyFailure[] }>;
}
