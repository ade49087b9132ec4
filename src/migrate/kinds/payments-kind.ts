/**
 * `migrate payments`: legacy pid → UnivaPay charge, stored as a payment under its original pid
 * with a settled creation, so a merchant's SALES or CANCEL of a pre-switch payment and the
 * kickbacks that follow work as for a payment made through the gateway. What a charge's status
 * becomes is mappings/migration.yaml `payments.chargeStates`.
 */
import { fallbackCharsetOf } from "../../config/merchants";
import { isUnivapayId } from "../../univapay/univapay-id";
import type { NewPayment, NewTransition, PaymentRow, StoreOps } from "../../store/store-types";
import type { RowContext, MigrationKindModule } from "../migration-kind";
import { rowFailed, type RowOutcome } from "../row-outcome";
import { PID } from "./legacy-ids";
import { lookUp } from "./univapay-lookup";

/** The request key of an imported payment: unique per sid, never the shape of a legacy request's. */
export const importRequestKey = (pid: string): string => `mig:${pid}`;

interface PaymentPlan {
  readonly pid: string;
  readonly payment: NewPayment;
  readonly creation: NewTransition;
}

function compare(ctx: RowContext, pid: string, chargeId: string, holder: PaymentRow): RowOutcome {
  if (holder.sid === ctx.merchant.sid && holder.chargeId === chargeId) {
    return { status: "unchanged", newId: chargeId, code: null, message: `pid ${pid} is mapped to this charge already` };
  }
  const what = holder.sid === ctx.merchant.sid ? `charge ${holder.chargeId ?? "(none yet)"}` : "another merchant's payment";
  return rowFailed("conflict", `pid ${pid} is ${what} already`);
}

export const paymentsKind: MigrationKindModule<PaymentPlan> = {
  kind: "payments",
  keyOf: (f) => f["pid"] ?? "",
  validate(f) {
    const pid = f["pid"] ?? "";
    const chargeId = f["chargeId"] ?? "";
    if (!PID.test(pid)) return rowFailed("bad_row", pid === "" ? "pid is empty" : `pid must be 8 or 9 digits: ${pid.slice(0, 20)}`);
    if (!isUnivapayId(chargeId))
      return rowFailed("bad_row", chargeId === "" ? "the charge id is empty" : `the charge id is not a UnivaPay id: ${chargeId.slice(0, 40)}`);
    if ((f["sod"] ?? "").length > 100) return rowFailed("bad_row", "sod is longer than 100 characters");
    return undefined;
  },
  async check(ctx, f) {
    const pid = f["pid"] ?? "";
    const chargeId = (f["chargeId"] ?? "").toLowerCase();
    const holder = await ctx.store.findPaymentByPid(pid);
    if (holder) return { ok: false, outcome: compare(ctx, pid, chargeId, holder) };
    const named = (await ctx.store.listTransitionsByUnivapayId(chargeId)).find((t) => t.pid !== pid);
    if (named) return { ok: false, outcome: rowFailed("in_use", `charge ${chargeId} is payment ${named.pid} already`) };
    const c = ctx.merchant.credentials;
    const got = await lookUp(`charge ${chargeId}`, c.storeId, () => ctx.client.getCharge(c, chargeId));
    if (!got.found) return { ok: false, outcome: got.outcome };
    const charge = got.value;
    if (charge.mode !== ctx.merchant.mode)
      return { ok: false, outcome: rowFailed("wrong_mode", `charge ${chargeId} is ${charge.mode}, the merchant is ${ctx.merchant.mode}`) };
    if (charge.requested_currency.toUpperCase() !== "JPY") {
      return { ok: false, outcome: rowFailed("wrong_type", `charge ${chargeId} is in ${charge.requested_currency}; legacy payments are in yen`) };
    }
    const state = ctx.table.migration.chargeStates[charge.status];
    if (!state)
      return {
        ok: false,
        outcome: rowFailed(
          "state_refused",
          `charge ${chargeId} is ${charge.status}; only ${Object.keys(ctx.table.migration.chargeStates).join(", ")} charges are taken`,
        ),
      };
    if (charge.status === "successful") {
      // A refunded charge stays "successful" at UnivaPay. Imported as captured at its full amount,
      // the merchant's CANCEL would ask for money already given back: refused, for a person to look at.
      const refunds = await lookUp(`the refunds of charge ${chargeId}`, c.storeId, async () => ({
        store_id: c.storeId,
        items: await ctx.client.listRefunds(c, chargeId, 10),
      }));
      if (!refunds.found) return { ok: false, outcome: refunds.outcome };
      const moved = refunds.value.items.filter((r) => r.status !== "failed" && r.status !== "error");
      if (moved.length > 0) {
        const total = moved.reduce((a, r) => a + r.amount, 0);
        return {
          ok: false,
          outcome: rowFailed(
            "state_refused",
            `charge ${chargeId} has refunds at UnivaPay (${moved.length}, ${total} ${charge.requested_currency}); a refunded payment is not imported`,
          ),
        };
      }
    }
    const amount = charge.charged_amount ?? charge.requested_amount;
    const sod = f["sod"] || (typeof charge.metadata?.["univapay-reference-id"] === "string" ? charge.metadata["univapay-reference-id"] : "") || null;
    const job = state === "authorized" ? "AUTH" : "CAPTURE";
    const payment: NewPayment = {
      sid: ctx.merchant.sid,
      requestKey: importRequestKey(pid),
      chargeId,
      tokenId: charge.transaction_token_id ?? null,
      job,
      svid: "1",
      amount,
      total: amount,
      sod,
      orderKey: null,
      recurring: null,
      state,
      echo: "",
      charset: fallbackCharsetOf(ctx.merchant),
      mode: ctx.merchant.mode,
    };
    const creation: NewTransition = {
      sid: ctx.merchant.sid,
      kind: "charge",
      job,
      requestKey: null,
      resource: "charge",
      univapayId: chargeId,
      state: "succeeded",
      univapayStatus: charge.status,
      errorCode: null,
      echo: "",
    };
    return { ok: true, plan: { pid, payment, creation }, newId: chargeId };
  },
  async apply(tx: StoreOps, ctx, plan) {
    const r = await tx.importPayment(plan.pid, plan.payment, plan.creation);
    if (r.created) return { status: "migrated", newId: plan.payment.chargeId, code: null, message: "" };
    if (r.payment.pid !== plan.pid) return rowFailed("in_use", `charge ${plan.payment.chargeId ?? ""} is payment ${r.payment.pid} already`);
    return compare(ctx, plan.pid, plan.payment.chargeId ?? "", r.payment);
  },
};
