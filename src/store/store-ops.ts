/**
 * StoreOps over one Kysely handle: the store itself or an open transaction (same code for both).
 * Mints pids here.
 */
import { randomInt } from "node:crypto";
import { AppError } from "../errors/app-error";
import { creationTransitionId, type NewPayment, type StoreOps } from "./store-types";
import { definedOnly, type QueryContext } from "./query-context";
import { guarded } from "./store-error";
import { insertPaymentWithCreation } from "./create-payment-queries";
import { releaseOrderKey, selectOrderHolder, selectPaymentByPid, selectPaymentByRequestKey, selectPaymentBySidPid, updatePaymentRow } from "./payment-queries";
import { retireRequestKey } from "./prior-request-keys";
import {
  insertTransitionIfAbsent,
  newTransitionId,
  selectTransition,
  selectTransitionByRequestKey,
  selectTransitionsByPid,
  selectTransitionsByUnivapayId,
  moveTransitionRow,
  settleTransitionRow,
  updateOpenTransition,
} from "./transition-queries";
import { insertMemberTokenIfAbsent, selectMemberToken, selectOtherMemberOfToken, upsertMemberToken } from "./member-token-queries";
import { finishMigrationRunRow, openMigrationRunRow, selectMigrationRows, upsertMigrationRow } from "./migration-ledger-queries";
import { insertKickbackIfAbsent, selectAttempts, selectKickback, selectKickbacksByPid } from "./kickback-queries";
import { insertWebhookEventIfAbsent, selectWebhookEvent } from "./webhook-event-queries";
import {
  deleteUncreatedImport,
  insertSubscriptionIfAbsent,
  selectSubscriptionBy,
  selectSubscriptionsToSync,
  updateSubscriptionRow,
} from "./subscription-queries";

/** 8 digits with a non-zero first digit, so a merchant storing it as an integer keeps 8 digits. */
export const PID_MIN = 10_000_000;
export const PID_MAX_EXCLUSIVE = 100_000_000;
/** Collisions are rare until tens of millions of pids exist; ten tries make failure negligible. */
const PID_MINT_TRIES = 10;

export function mintPid(): string {
  return String(randomInt(PID_MIN, PID_MAX_EXCLUSIVE));
}

/** acid: 10 digits with a non-zero first digit — longer than a pid, so the two never look alike. */
export const ACID_MIN = 1_000_000_000;
export const ACID_MAX_EXCLUSIVE = 10_000_000_000;

export function mintAcid(): string {
  return String(randomInt(ACID_MIN, ACID_MAX_EXCLUSIVE));
}

export function createStoreOps(ctx: QueryContext): StoreOps {
  /** The payment a request with this key already made, with its creation: a repeat. */
  const repeatOf = async (p: NewPayment) => {
    const payment = await selectPaymentByRequestKey(ctx, p.sid, p.requestKey);
    if (!payment) return undefined;
    const transition = await selectTransition(ctx, creationTransitionId(payment.pid));
    if (!transition) throw new AppError("internal", `payment ${payment.pid} has no creation transition`);
    return { payment, transition, created: false };
  };
  const ops: StoreOps = {
    createOrderPayment: guarded("createOrderPayment", async (p, creation, guard) => {
      for (let i = 0; i < PID_MINT_TRIES; i++) {
        const made = await insertPaymentWithCreation(ctx, ctx.mintPid(), p, creation);
        if (made) return { ...made, created: true };
        const repeat = await repeatOf(p);
        if (repeat) return repeat;
        const holder = await selectOrderHolder(ctx, p.sid, p.orderKey);
        // No holder: the random pid was taken (or the holder just let go). Try again.
        if (!holder) continue;
        const holds = holder.createdAt >= guard.since && (holder.state !== "requested" || holder.createdAt >= guard.requestedSince);
        if (!holds) {
          await releaseOrderKey(ctx, holder.pid, p.orderKey);
          continue;
        }
        // Refused: stored failed (outside the unique index), so its resend is answered the same.
        const refused = await insertPaymentWithCreation(
          ctx,
          ctx.mintPid(),
          { ...p, state: "failed" },
          { ...creation, state: "failed", errorCode: guard.errorCode },
        );
        if (refused) return { ...refused, created: true, refusedFor: holder.pid };
        const raced = await repeatOf(p);
        if (raced) return raced;
      }
      throw new AppError("internal", `could not mint a free pid in ${PID_MINT_TRIES} tries`, { retryable: true });
    }),
    createPayment: guarded("createPayment", async (p, creation) => {
      for (let i = 0; i < PID_MINT_TRIES; i++) {
        const made = await insertPaymentWithCreation(ctx, ctx.mintPid(), p, creation);
        if (made) return { ...made, created: true };
        const repeat = await repeatOf(p);
        if (repeat) return repeat;
        // Neither inserted nor a repeat: the random pid was taken. Mint another.
      }
      throw new AppError("internal", `could not mint a free pid in ${PID_MINT_TRIES} tries`, { retryable: true });
    }),
    findPayment: guarded("findPayment", (sid, pid) => selectPaymentBySidPid(ctx, sid, pid)),
    findPaymentByRequestKey: guarded("findPaymentByRequestKey", (sid, key) => selectPaymentByRequestKey(ctx, sid, key)),
    findPaymentByPid: guarded("findPaymentByPid", (pid) => selectPaymentByPid(ctx, pid)),
    retireRequestKey: guarded("retireRequestKey", (table, id, key) => retireRequestKey(ctx, table, id, key)),
    updatePayment: guarded("updatePayment", async (pid, patch) => {
      const row = await updatePaymentRow(ctx, pid, patch);
      if (!row) throw new AppError("not_found", `payment ${pid} not found`, { httpStatus: 404 });
      return row;
    }),

    insertTransition: guarded("insertTransition", async (pid, t) => {
      const row = await insertTransitionIfAbsent(ctx, newTransitionId(), pid, t);
      if (row) return { row, created: true };
      const existing = t.requestKey === null ? undefined : await selectTransitionByRequestKey(ctx, t.sid, t.requestKey);
      if (existing) return { row: existing, created: false };
      throw new AppError("internal", "transition neither inserted nor found", { retryable: true });
    }),
    findTransition: guarded("findTransition", (id) => selectTransition(ctx, id)),
    findTransitionByRequestKey: guarded("findTransitionByRequestKey", (sid, key) => selectTransitionByRequestKey(ctx, sid, key)),
    listTransitionsByUnivapayId: guarded("listTransitionsByUnivapayId", (id) => selectTransitionsByUnivapayId(ctx, id)),
    listTransitions: guarded("listTransitions", (pid) => selectTransitionsByPid(ctx, pid)),
    recordPending: guarded("recordPending", async (id, patch, payment) => {
      const open = await updateOpenTransition(ctx, id, { ...patch, state: "pending" });
      const transition = open ?? (await selectTransition(ctx, id));
      if (!transition) throw new AppError("not_found", `transition ${id} not found`, { httpStatus: 404 });
      // Only while it was still open: a transition a webhook already settled keeps its payment too.
      const row = open && payment ? await updatePaymentRow(ctx, transition.pid, payment) : await selectPaymentByPid(ctx, transition.pid);
      if (!row) throw new AppError("not_found", `payment ${transition.pid} not found`, { httpStatus: 404 });
      return { transition, payment: row };
    }),
    moveTransition: guarded("moveTransition", async (id, from, patch, payment) => {
      const transition = await moveTransitionRow(ctx, id, from, patch);
      if (!transition) return undefined;
      const row = await updatePaymentRow(ctx, transition.pid, definedOnly(payment ?? {}));
      if (!row) throw new AppError("not_found", `payment ${transition.pid} not found`, { httpStatus: 404 });
      return { transition, payment: row };
    }),
    settleTransition: guarded("settleTransition", (id, patch, payment, kickback, now) => settleTransitionRow(ctx, id, patch, payment, kickback, now)),

    getMemberToken: guarded("getMemberToken", (sid, memberId) => selectMemberToken(ctx, sid, memberId)),
    findOtherMemberOfToken: guarded("findOtherMemberOfToken", (sid, tokenId, memberId) => selectOtherMemberOfToken(ctx, sid, tokenId, memberId)),
    putMemberToken: guarded("putMemberToken", (sid, memberId, tokenId) => upsertMemberToken(ctx, sid, memberId, tokenId)),
    addMemberToken: guarded("addMemberToken", (sid, memberId, tokenId) => insertMemberTokenIfAbsent(ctx, sid, memberId, tokenId)),
    importPayment: guarded("importPayment", async (pid, p, creation) => {
      const made = await insertPaymentWithCreation(ctx, pid, p, creation);
      if (made) return { payment: made.payment, created: true };
      const holder = await selectPaymentByPid(ctx, pid);
      if (holder) return { payment: holder, created: false };
      // The pid is free: another imported payment holds the charge (payments_imported_charge).
      const named = p.chargeId ? (await selectTransitionsByUnivapayId(ctx, p.chargeId)).find((t) => t.pid !== pid) : undefined;
      const other = named && (await selectPaymentByPid(ctx, named.pid));
      if (other) return { payment: other, created: false };
      throw new AppError("internal", `payment ${pid}: import conflicted on its request key ${p.requestKey}`);
    }),
    openMigrationRun: guarded("openMigrationRun", (run) => openMigrationRunRow(ctx, run)),
    finishMigrationRun: guarded("finishMigrationRun", (runId, summary) => finishMigrationRunRow(ctx, runId, summary)),
    recordMigrationRow: guarded("recordMigrationRow", (runId, row) => upsertMigrationRow(ctx, runId, row)),
    listMigrationRows: guarded("listMigrationRows", (runId, from, to) => selectMigrationRows(ctx, runId, from, to)),

    createSubscription: guarded("createSubscription", async (sub) => {
      for (let i = 0; i < PID_MINT_TRIES; i++) {
        const row = await insertSubscriptionIfAbsent(ctx, mintAcid(), sub);
        if (row) return { row, created: true };
        const existing = await selectSubscriptionBy(ctx, { firstPid: sub.firstPid });
        if (existing) return { row: existing, created: false };
        // Neither inserted nor a repeat: the random acid was taken. Mint another.
      }
      throw new AppError("internal", `could not mint a free acid in ${PID_MINT_TRIES} tries`, { retryable: true });
    }),
    importSubscription: guarded("importSubscription", async (acid, sub) => {
      const row = await insertSubscriptionIfAbsent(ctx, acid, sub);
      if (row) return { row, created: true as const };
      return { row: await selectSubscriptionBy(ctx, { acid }), created: false as const };
    }),
    discardImportedAutoBilling: guarded("discardImportedAutoBilling", (sid, acid) => deleteUncreatedImport(ctx, sid, acid)),
    findSubscription: guarded("findSubscription", (sid, acid) => selectSubscriptionBy(ctx, { sid, acid })),
    findSubscriptionByFirstPid: guarded("findSubscriptionByFirstPid", (firstPid) => selectSubscriptionBy(ctx, { firstPid })),
    findSubscriptionByUnivapayId: guarded("findSubscriptionByUnivapayId", (subscriptionId) => selectSubscriptionBy(ctx, { subscriptionId })),
    updateSubscription: guarded("updateSubscription", async (acid, patch) => {
      const row = await updateSubscriptionRow(ctx, acid, patch);
      if (!row) throw new AppError("not_found", `auto-billing ${acid} not found`, { httpStatus: 404 });
      return row;
    }),
    listSubscriptionsToSync: guarded("listSubscriptionsToSync", (now, limit) => selectSubscriptionsToSync(ctx, now, limit)),

    enqueueKickback: guarded("enqueueKickback", (k, now) => insertKickbackIfAbsent(ctx, k, now)),
    findKickback: guarded("findKickback", (id) => selectKickback(ctx, id)),
    listKickbacks: guarded("listKickbacks", (pid) => selectKickbacksByPid(ctx, pid)),
    listAttempts: guarded("listAttempts", (kickbackId) => selectAttempts(ctx, kickbackId)),

    insertWebhookEvent: guarded("insertWebhookEvent", (e, now) => insertWebhookEventIfAbsent(ctx, e, now)),
    findWebhookEvent: guarded("findWebhookEvent", (id) => selectWebhookEvent(ctx, id)),
  };
  return ops;
}
