/**
 * The fetch slot of the kinds whose resource is a charge (its creation, a capture): the charge
 * now, or long-polled until the kind's own judge calls it final or the deadline passes.
 */
import type { MappingTable } from "../../mapping";
import { ChargeSchema, type Charge } from "../../univapay/univapay-types";
import type { Subject, TransitionKind, Verdict } from "../transition-kind";

type Judge = (table: MappingTable, s: Subject, charge: Charge) => Verdict;

export function fetchCharge(judge: Judge): TransitionKind<unknown, Charge>["fetch"] {
  return (ctx, merchant, s, waitUntil) => {
    const id = s.transition.univapayId as string;
    if (waitUntil === undefined) return ctx.client.getCharge(merchant.credentials, id);
    return ctx.client.waitForCharge(merchant.credentials, id, waitUntil, (ch) => {
      const o = judge(ctx.table, s, ch).outcome;
      return o === "success" || o === "failure";
    });
  };
}

/** The fromEvent slot of the charge kinds: a charge event's body, when it is a whole charge. */
export function chargeFromEvent(event: string, data: unknown): Charge | undefined {
  if (event !== "charge_updated" && event !== "charge_finished") return undefined;
  const r = ChargeSchema.safeParse(data);
  return r.success ? r.data : undefined;
}
