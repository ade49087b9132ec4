/**
 * `autoBillingStatus`: payment.aspx job=ACSTATUS&acid=… — the auto-billing as UnivaPay has it now
 * (acst, acnd), synced on the way so any automatic charge not yet notified is. A query moves no
 * money, so it needs no transition (the `answer` slot); UnivaPay unreachable answers P02P02.
 */
import { SUCCESS_EC } from "../../mapping";
import type { TransitionKind } from "../transition-kind";
import { acndOf, acstOf, autoBillingOf, syncedAutoBilling } from "./auto-billing-target";

const unused = () => Promise.reject(new Error("ACSTATUS is answered without a transition"));

export const autoBillingStatusKind: TransitionKind<undefined, undefined> = {
  name: "autoBillingStatus",
  actions: ["autoBillingStatus"],
  events: [],
  checkRow: () => [],
  async answer(ctx, req) {
    const target = await autoBillingOf(ctx, req);
    if (!target.ok) return target;
    const synced = await syncedAutoBilling(ctx, req.merchant, target.row);
    if (!synced.ok) return synced;
    const row = synced.row;
    const { first } = target;
    return {
      ok: true,
      result: {
        outcome: "success",
        ec: SUCCESS_EC,
        pid: first.pid,
        job: req.op.job,
        sod: first.sod,
        total: row.cycleAmount,
        mode: first.mode,
        recurring: { acid: row.acid, actp: row.actp, acdc: row.acdc, status: acstOf(row.status, synced.retrying), nextOn: acndOf(row.nextDueOn) },
      },
    };
  },
  open: unused,
  create: unused,
  fetch: unused,
  judge: () => ({ outcome: "unknown", ec: null, univapayStatus: null }),
  after: () => null,
  identify: () => ({ resource: "subscription", univapayId: "" }),
  reply: () => {
    throw new Error("ACSTATUS is answered without a transition");
  },
  notifies: false,
};
