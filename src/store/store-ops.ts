/**
 * StoreOps over one Kysely handle: the store itself or an open transaction (same code for both).
 * Mints pids here.
 */
import { randomInt } from "node:crypto";
import { sql } from "kysely";
import { AppError } from "../errors/app-error";
import { creationTransitionId, type StoreOps } from "./store-types";
import { definedOnly, type QueryContext } from "./query-context";
import { guarded } from "./store-error";
import { insertPaymentWithCreation } from "./create-payment-queries";
import { selectLiveOrderPayments, selectPaymentByPid, selectPaymentByRequestKey, selectPaymentBySidPid, updatePaymentRow } from "./payment-queries";
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
import { selectMemberToken, upsertMemberToken } from "./member-token-queries";
import { insertKickbackIfAbsent, selectAttempts, selectKickback, selectKickbacksByPid } from "./kickback-queries";
import { insertWebhookEventIfAbsent, selectWebhookEvent } from "./webhook-event-queries";

/** 8 digits with a non-zero first digit, so a merchant storing it as an integer keeps 8 digits. */
export const PID_MIN = 10_000_000;
export const PID_MAX_EXCLUSIVE = 100_000_000;
/** Collisions are rare until tens of millions of pids exist; ten tries make failure negligible. */
const PID_MINT_TRIES = 10;

export function mintPid(): string {
  return String(randomInt(PID_MIN, PID_MAX_EXCLUSIVE));
}

export function createStoreOps(ctx: QueryContext): StoreOps {
  const ops: StoreOps = {
    createOrderPayment: guarded("createOrderPayment", async (p, creation, guard) => {
      // Callers run this inside a transaction (create-store): the lock holds until it ends. A
      // legacy sid is digits, so "sid:order" names one order.
      if (ctx.dialect === "postgres") await sql`SELECT pg_advisory_xact_lock(hashtext(${`${p.sid}:${p.orderKey}`}))`.execute(ctx.db);
      const made = await ops.createPayment(p, creation);
      if (!made.created) return made;
      const live = await selectLiveOrderPayments(ctx, p.sid, p.orderKey, guard.since, guard.requestedSince);
      const other = live.find((x) => x.pid !== made.payment.pid);
      if (!other) return made;
      const refused = await ops.moveTransition(made.transition.id, ["requested"], { state: "failed", errorCode: guard.errorCode }, { state: "failed" });
      return { ...(refused ?? made), created: true, refusedFor: other.pid };
    }),
    createPayment: guarded("createPayment", async (p, creation) => {
      for (let i = 0; i < PID_MINT_TRIES; i++) {
        const made = await insertPaymentWithCreation(ctx, ctx.mintPid(), p, creation);
        if (made) return { ...made, created: true };
        const payment = await selectPaymentByRequestKey(ctx, p.sid, p.requestKey);
        if (payment) {
          const transition = await selectTransition(ctx, creationTransitionId(payment.pid));
          if (!transition) throw new AppError("internal", `payment ${payment.pid} has no creation transition`);
          return { payment, transition, created: false };
        }
        // Neither inserted nor a repeat: the random pid was taken. Mint another.
      }
      throw new AppError("internal", `could not mint a free pid in ${PID_MINT_TRIES} tries`, { retryable: true });
    }),
    findPayment: guarded("findPayment", (sid, pid) => selectPaymentBySidPid(ctx, sid, pid)),
    findPaymentByRequestKey: guarded("findPaymentByRequestKey", (sid, key) => selectPaymentByRequestKey(ctx, sid, key)),
    findPaymentByPid: guarded("findPaymentByPid", (pid) => selectPaymentByPid(ctx, pid)),
    listLiveOrderPayments: guarded("listLiveOrderPayments", (sid, sod, since, requestedSince) => selectLiveOrderPayments(ctx, sid, sod, since, requestedSince)),
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
    putMemberToken: guarded("putMemberToken", (sid, memberId, tokenId) => upsertMemberToken(ctx, sid, memberId, tokenId)),

    enqueueKickback: guarded("enqueueKickback", (k, now) => insertKickbackIfAbsent(ctx, k, now)),
    findKickback: guarded("findKickback", (id) => selectKickback(ctx, id)),
    listKickbacks: guarded("listKickbacks", (pid) => selectKickbacksByPid(ctx, pid)),
    listAttempts: guarded("listAttempts", (kickbackId) => selectAttempts(ctx, kickbackId)),

    insertWebhookEvent: guarded("insertWebhookEvent", (e, now) => insertWebhookEventIfAbsent(ctx, e, now)),
    findWebhookEvent: guarded("findWebhookEvent", (id) => selectWebhookEvent(ctx, id)),
  };
  return ops;
}
