/**
 * What the two auto-billing kinds share: reading a row's legacy fields, the anchor payment an
 * imported auto-billing hangs on, and storing the pair. An imported auto-billing has no first
 * payment at the gateway (it was made on the old system), but the management jobs (ACSTATUS,
 * ACSTOP, …) answer with the auto-billing's pid and record their transitions on it, and every
 * cycle payment copies its sod and acid from it: so it gets an anchor payment, under the first
 * payment's legacy pid when the file has it (else a minted one), in state `imported`, which SALES
 * and CANCEL refuse.
 */
import { fallbackCharsetOf } from "../../config/merchants";
import type { MappingTable } from "../../mapping";
import type { ParamSource } from "../../mapping/param-source";
import type { DriftNote } from "../../recurring/drift-notes";
import { readRecurringParams, type RecurringInput } from "../../recurring/read-recurring-params";
import { nextDueOn } from "../../recurring/next-due-on";
import { nextSyncAt } from "../../recurring/sync-subscription";
import type {
  MigrationRowRecord,
  NewPayment,
  NewSubscription,
  NewTransition,
  PaymentRow,
  StoreOps,
  SubscriptionRow,
  SubscriptionStatus,
} from "../../store/store-types";
import type { Subscription } from "../../univapay/univapay-types";
import type { RowContext, RowFields } from "../migration-kind";
import { rowFailed, RowRefused, type RowOutcome } from "../row-outcome";
import { ACID, PID } from "./legacy-ids";

/** The request key of an auto-billing's anchor payment: unique per sid, never a legacy request's. */
export const anchorRequestKey = (acid: string): string => `mig-ac:${acid}`;

/** The row's shared fields, or the reason it cannot be an auto-billing whatever UnivaPay says. */
export function validateAutoBillingRow(f: RowFields): RowOutcome | undefined {
  const acid = f["acid"] ?? "";
  if (!ACID.test(acid)) return rowFailed("bad_row", acid === "" ? "acid is empty" : `acid must be 1-32 letters, digits, "-" or "_": ${acid.slice(0, 40)}`);
  const pid = f["pid"] ?? "";
  if (pid !== "" && !PID.test(pid)) return rowFailed("bad_row", `pid must be 8 or 9 digits: ${pid.slice(0, 20)}`);
  if ((f["sod"] ?? "").length > 100) return rowFailed("bad_row", "sod is longer than 100 characters");
  return undefined;
}

/** The legacy parameters of the row (actp → actp1, …), read by the gateway's own recurring rules. */
export function legacyScheduleOf(table: MappingTable, f: RowFields): { ok: true; input: RecurringInput } | { ok: false; outcome: RowOutcome } {
  const names = ["actp", "acdc", "acmc", "acam", "acrm", "acrt", "acrd"];
  const given = names.filter((n) => (f[n] ?? "") !== "").map((n) => ({ name: `${n}1`, value: f[n] ?? "" }));
  const params: ParamSource = { get: (name) => given.find((g) => g.name === name)?.value, fields: given };
  const read = readRecurringParams(table, params);
  if (read.ok) return { ok: true, input: read.value };
  // The rules speak of the request's parameter names; the file's columns have no "1".
  const why = read.failures.map((x) => x.message.replace(/\b(actp|acdc|acmc|acam|acrm|acrt|acrd)1\b/g, "$1")).join("; ");
  return { ok: false, outcome: rowFailed("bad_row", why) };
}

export interface ImportPlan {
  readonly acid: string;
  /** The first payment's legacy pid, or null to mint one. */
  readonly pid: string | null;
  readonly anchor: NewPayment;
  readonly creation: NewTransition;
  readonly subscription: Omit<NewSubscription, "firstPid">;
}

export function importPlan(
  ctx: RowContext,
  f: RowFields,
  s: { subscriptionId: string | null; status: string; tokenId: string | null } & Omit<NewSubscription, "firstPid" | "sid" | "subscriptionId" | "tokenId">,
): ImportPlan {
  const acid = f["acid"] ?? "";
  const sid = ctx.merchant.sid;
  const anchor: NewPayment = {
    sid,
    requestKey: anchorRequestKey(acid),
    chargeId: null,
    tokenId: s.tokenId,
    job: "CAPTURE",
    svid: "1",
    amount: s.cycleAmount,
    total: s.cycleAmount,
    sod: (f["sod"] ?? "") || null,
    orderKey: null,
    recurring: { acid, actp: s.actp, acdc: s.acdc },
    state: "imported",
    echo: "",
    charset: fallbackCharsetOf(ctx.merchant),
    mode: ctx.merchant.mode,
  };
  const creation: NewTransition = {
    sid,
    kind: "subscription",
    job: "CAPTURE",
    requestKey: null,
    resource: "subscription",
    univapayId: s.subscriptionId,
    state: "succeeded",
    univapayStatus: s.status,
    errorCode: null,
    echo: "",
  };
  return { acid, pid: (f["pid"] ?? "") || null, anchor, creation, subscription: { ...s, sid } };
}

/**
 * How a row's auto-billing differs from the one stored under its acid (schedule, amount, count,
 * card): empty when it is the same, so the row is `unchanged`; else the row is a `conflict` and the
 * stored one is left as it is. A management job (ACCHANGE) may have changed the stored one since,
 * which is then what the message shows.
 */
export function autoBillingDifference(held: SubscriptionRow, want: RecurringInput, tokenId: string | null): string[] {
  const out: string[] = [];
  const cmp = (name: string, had: string | number | null, now: string | number | null) => {
    if (had !== now) out.push(`${name} ${had ?? "(none)"} (the row: ${now ?? "(none)"})`);
  };
  cmp("actp", held.actp, want.actp);
  cmp("acdc", held.acdc, want.acdc);
  cmp("acmc", held.acmc, want.acmc);
  cmp("acam", held.cycleAmount, want.cycleAmount);
  cmp("acrm", held.automaticCharges, want.automaticCharges);
  if (tokenId !== null && held.tokenId !== null) cmp("card", held.tokenId, tokenId);
  return out;
}

export type StoredImport = { ok: true; row: SubscriptionRow; anchor: PaymentRow } | { ok: false; outcome: RowOutcome };

/**
 * The anchor payment and the auto-billing, in the caller's transaction; what holds the acid or the
 * pid already is reported, never overwritten. Checked before anything is written, so a refusal
 * leaves nothing behind.
 */
export async function storeImport(tx: StoreOps, ctx: RowContext, plan: ImportPlan, same: (row: SubscriptionRow) => RowOutcome): Promise<StoredImport> {
  const sid = ctx.merchant.sid;
  const held = await tx.findSubscription(sid, plan.acid);
  if (held) return { ok: false, outcome: same(held) };
  const subscriptionId = plan.subscription.subscriptionId;
  const other = subscriptionId === null ? undefined : await tx.findSubscriptionByUnivapayId(subscriptionId);
  if (other)
    return {
      ok: false,
      outcome: rowFailed("in_use", `subscription ${subscriptionId} is auto-billing ${other.sid === sid ? other.acid : "of another merchant"} already`),
    };
  const byKey = await tx.findPaymentByRequestKey(sid, plan.anchor.requestKey);
  if (plan.pid !== null) {
    const holder = await tx.findPaymentByPid(plan.pid);
    if (holder && holder.requestKey !== plan.anchor.requestKey) {
      return {
        ok: false,
        outcome: rowFailed("conflict", `pid ${plan.pid} is ${holder.sid === sid ? "another payment" : "another merchant's payment"} already`),
      };
    }
  }
  const made = byKey
    ? { payment: byKey }
    : plan.pid !== null
      ? await tx.importPayment(plan.pid, plan.anchor, plan.creation)
      : await tx.createPayment(plan.anchor, plan.creation);
  const r = await tx.importSubscription(plan.acid, { ...plan.subscription, firstPid: made.payment.pid });
  if (!r.created) {
    const why = r.row
      ? r.row.sid === sid
        ? same(r.row)
        : rowFailed("conflict", `acid ${plan.acid} is another merchant's auto-billing`)
      : rowFailed("conflict", `pid ${made.payment.pid} has an auto-billing already`);
    // Nothing of this row may stay: the transaction is undone by throwing, the runner records the row.
    throw new RowRefused(why);
  }
  return { ok: true, row: r.row, anchor: made.payment };
}

export const driftJson = (notes: readonly DriftNote[]): string => JSON.stringify(notes);

export function parseDrift(json: string): DriftNote[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((n): n is DriftNote => typeof n?.code === "string" && typeof n?.message === "string") : [];
  } catch {
    return [];
  }
}

/** A created auto-billing's record once UnivaPay has answered its create (the migrator's apply, ops resolve-autobilling). */
export async function recordCreated(ops: Pick<StoreOps, "updateSubscription">, row: SubscriptionRow, sub: Subscription, now: Date): Promise<void> {
  const status = sub.status as SubscriptionStatus;
  const due = nextDueOn(sub) ?? row.nextDueOn;
  await ops.updateSubscription(row.acid, {
    subscriptionId: sub.id,
    status,
    nextDueOn: due,
    tokenId: sub.transaction_token_id ?? row.tokenId,
    // Soon while UnivaPay verifies the card (unverified), then at each due date.
    syncAfter: nextSyncAt(now, status, due, status === "unverified"),
  });
}

/** The drift notes kept on the auto-billing a ledger row names (both auto-billing kinds' storedDrift). */
export async function storedDriftOf(ctx: RowContext, rec: MigrationRowRecord): Promise<DriftNote[]> {
  const row = await ctx.store.findSubscription(ctx.merchant.sid, rec.key);
  return row ? parseDrift(row.drift) : [];
}
