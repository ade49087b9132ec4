/**
 * StoreOps over one Kysely handle: the store itself or an open transaction (same code for both,
 * so a flow can update a payment and enqueue its kickback atomically). Mints pids here.
 */
import { randomInt } from "node:crypto";
import { AppError } from "../errors/app-error";
import type { StoreOps } from "./store-types";
import type { QueryContext } from "./query-context";
import { guarded } from "./store-error";
import {
  insertPaymentIfAbsent,
  selectPaymentByChargeId,
  selectPaymentByPid,
  selectPaymentByRequestKey,
  selectPaymentBySidPid,
  settlePaymentRow,
  updatePaymentRow,
} from "./payment-queries";
import {
  insertOperationIfAbsent,
  selectOperationById,
  selectOperationByRequestKey,
  selectOperationByUnivapayId,
  selectOperationsByPid,
  updateOperationRow,
} from "./operation-queries";
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
  return {
    insertPayment: guarded("insertPayment", async (p) => {
      for (let i = 0; i < PID_MINT_TRIES; i++) {
        const row = await insertPaymentIfAbsent(ctx, ctx.mintPid(), p);
        if (row) return { row, created: true };
        const existing = await selectPaymentByRequestKey(ctx, p.sid, p.requestKey);
        if (existing) return { row: existing, created: false };
        // Neither inserted nor a repeat: the random pid was taken. Mint another.
      }
      throw new AppError("internal", `could not mint a free pid in ${PID_MINT_TRIES} tries`, { retryable: true });
    }),
    findPayment: guarded("findPayment", (sid, pid) => selectPaymentBySidPid(ctx, sid, pid)),
    findPaymentByRequestKey: guarded("findPaymentByRequestKey", (sid, key) => selectPaymentByRequestKey(ctx, sid, key)),
    findPaymentByPid: guarded("findPaymentByPid", (pid) => selectPaymentByPid(ctx, pid)),
    findPaymentByChargeId: guarded("findPaymentByChargeId", (chargeId) => selectPaymentByChargeId(ctx, chargeId)),
    updatePayment: guarded("updatePayment", async (pid, patch) => {
      const row = await updatePaymentRow(ctx, pid, patch);
      if (!row) throw new AppError("not_found", `payment ${pid} not found`, { httpStatus: 404 });
      return row;
    }),

    transitionPayment: guarded("transitionPayment", (pid, fromStates, patch) =>
      fromStates.length === 0 ? Promise.resolve(undefined) : updatePaymentRow(ctx, pid, patch, fromStates),
    ),
    settlePayment: guarded("settlePayment", (pid, fromStates, patch, kickback, now) =>
      fromStates.length === 0 ? Promise.resolve(undefined) : settlePaymentRow(ctx, pid, fromStates, patch, kickback, now),
    ),

    insertOperation: guarded("insertOperation", async (o) => {
      const row = await insertOperationIfAbsent(ctx, o);
      if (row) return { row, created: true };
      const existing = await selectOperationByRequestKey(ctx, o.sid, o.requestKey);
      if (existing) return { row: existing, created: false };
      throw new AppError("internal", "operation neither inserted nor found", { retryable: true });
    }),
    findOperation: guarded("findOperation", (id) => selectOperationById(ctx, id)),
    findOperationByRequestKey: guarded("findOperationByRequestKey", (sid, key) => selectOperationByRequestKey(ctx, sid, key)),
    findOperationByUnivapayId: guarded("findOperationByUnivapayId", (id) => selectOperationByUnivapayId(ctx, id)),
    listOperations: guarded("listOperations", (pid) => selectOperationsByPid(ctx, pid)),
    updateOperation: guarded("updateOperation", async (id, patch) => {
      const row = await updateOperationRow(ctx, id, patch);
      if (!row) throw new AppError("not_found", `operation ${id} not found`, { httpStatus: 404 });
      return row;
    }),

    getMemberToken: guarded("getMemberToken", (sid, memberId) => selectMemberToken(ctx, sid, memberId)),
    putMemberToken: guarded("putMemberToken", (sid, memberId, tokenId) => upsertMemberToken(ctx, sid, memberId, tokenId)),

    enqueueKickback: guarded("enqueueKickback", (k, now) => insertKickbackIfAbsent(ctx, k, now)),
    findKickback: guarded("findKickback", (id) => selectKickback(ctx, id)),
    listKickbacks: guarded("listKickbacks", (pid) => selectKickbacksByPid(ctx, pid)),
    listAttempts: guarded("listAttempts", (kickbackId) => selectAttempts(ctx, kickbackId)),

    insertWebhookEvent: guarded("insertWebhookEvent", (e, now) => insertWebhookEventIfAbsent(ctx, e, now)),
    findWebhookEvent: guarded("findWebhookEvent", (id) => selectWebhookEvent(ctx, id)),
  };
}
