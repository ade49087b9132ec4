/**
 * `migrate autobillings`: legacy acid → a subscription that exists at UnivaPay already (UnivaPay
 * migrated the old 自動課金 on its side, as 待機中 / 一時停止 / 強制終了). After it, the acid's
 * management jobs answer, and each automatic charge UnivaPay runs from now on is one kickback with
 * the acid, as for an auto-billing made through the gateway. Charges made before the import are the
 * merchant's old news (`cyclesAfter`): they are never notified. A charge still pending at the
 * import is followed and notified when it ends.
 */
import type { MappingTable } from "../../mapping";
import type { UnivapayPeriod } from "../../mapping/recurring-schema";
import { billingCycle } from "../../recurring/billing-cycle";
import type { RecurringInput } from "../../recurring/read-recurring-params";
import { nextDueOn } from "../../recurring/next-due-on";
import { nextSyncAt } from "../../recurring/sync-subscription";
import type { SubscriptionRow, SubscriptionStatus } from "../../store/store-types";
import type { Charge, Subscription } from "../../univapay/univapay-types";
import type { RowContext, MigrationKindModule, RowFields } from "../migration-kind";
import { rowFailed, type RowOutcome } from "../row-outcome";
import { mappedDrift } from "./auto-billing-drift";
import { isUnivapayId } from "../../univapay/univapay-id";
import {
  autoBillingDifference,
  driftJson,
  importPlan,
  legacyScheduleOf,
  storedDriftOf,
  storeImport,
  validateAutoBillingRow,
  type ImportPlan,
} from "./auto-billing-rows";
import { parseLegacyDate } from "./legacy-schedule";
import { lookUp } from "./univapay-lookup";

/** No charge of the subscription was known before: every charge it makes is a cycle. */
export const ALL_CHARGES = "1970-01-01T00:00:00.000Z";
/** Charge statuses still moving: such a charge is followed after the import, not taken as known. */
const MOVING = ["pending", "awaiting"];

/** The one cycle code whose UnivaPay field is this plain period, for a file without actp. */
export function actpOfPeriod(table: MappingTable, period: string | null | undefined): string | undefined {
  const codes = [...table.recurring.cycles.values()].filter(
    (c) => c.field.kind === "period" && c.field.period === (period as UnivapayPeriod) && c.startOn.kind === "none" && c.params.size === 0,
  );
  return codes.length === 1 ? codes[0]?.code : undefined;
}

/** The newest charge that had ended by the import: it and everything before it were known. */
export function knownThrough(charges: readonly Charge[]): string {
  const ended = charges.filter((c) => !MOVING.includes(c.status)).map((c) => c.created_on);
  return ended.reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a), ALL_CHARGES);
}

/** What holds the acid already, against the row's subscription and the schedule it states. */
function same(row: SubscriptionRow, subscriptionId: string, want: RecurringInput | null): RowOutcome {
  if (row.subscriptionId !== subscriptionId)
    return rowFailed(
      "conflict",
      `acid ${row.acid} is auto-billing ${row.subscriptionId ?? "(being created)"} already; nothing was overwritten`,
      row.subscriptionId,
    );
  const differences = want ? autoBillingDifference(row, want, null) : [];
  if (differences.length === 0)
    return { status: "unchanged", newId: row.subscriptionId, code: null, message: `acid ${row.acid} is mapped to this subscription already` };
  return rowFailed(
    "conflict",
    `acid ${row.acid} is mapped to this subscription already with another schedule (${differences.join("; ")}); nothing was changed`,
    row.subscriptionId,
  );
}

/** The schedule a row states for an acid held already (its own fields, else what is stored). */
function statedSchedule(ctx: RowContext, f: RowFields, held: SubscriptionRow): RecurringInput | null {
  const stated = legacyScheduleOf(ctx.table, { ...f, actp: (f["actp"] ?? "") || held.actp, acam: (f["acam"] ?? "") || String(held.cycleAmount) });
  return stated.ok ? stated.input : null;
}

async function planOf(ctx: RowContext, f: RowFields, sub: Subscription, charges: readonly Charge[]) {
  const acam = (f["acam"] ?? "") || String(sub.next_payment?.amount ?? sub.amount);
  const actp = (f["actp"] ?? "") || actpOfPeriod(ctx.table, sub.period);
  if (!actp) {
    const what = sub.period ? `period ${sub.period}` : `cyclical_period ${sub.cyclical_period ?? "?"}`;
    return {
      ok: false as const,
      outcome: rowFailed("wrong_type", `subscription ${sub.id} has ${what}, which no one actp stands for: give actp (and acdc, acmc) in the file`),
    };
  }
  const legacy = legacyScheduleOf(ctx.table, { ...f, actp, acam });
  if (!legacy.ok) return legacy;
  const input = legacy.input;
  const status = sub.status as SubscriptionStatus;
  const due = nextDueOn(sub);
  const moving = charges.some((c) => MOVING.includes(c.status));
  const cycle = sub.period ? billingCycle.ofPeriod(sub.period as UnivapayPeriod) : null;
  const drift = mappedDrift(ctx.table.recurring, {
    cycle,
    retryCount: (f["acrt"] ?? "") === "" ? null : input.retryCount,
    retryDays: input.retryDays,
    legacyNext: parseLegacyDate(f["nextDate"] ?? "") ?? null,
    univapayNext: due,
    automaticCharges: input.automaticCharges,
  });
  const stored = importPlan(ctx, f, {
    subscriptionId: sub.id,
    status,
    tokenId: sub.transaction_token_id ?? null,
    actp: input.actp,
    acdc: input.acdc,
    acmc: input.acmc,
    cycleAmount: input.cycleAmount,
    automaticCharges: input.automaticCharges,
    nextDueOn: due,
    syncAfter: nextSyncAt(ctx.now(), status, due, moving),
    drift: driftJson(drift),
    origin: "mapped",
    cyclesAfter: knownThrough(charges),
  });
  const plan: MappedPlan = { ...stored, input };
  return { ok: true as const, plan, newId: sub.id, drift };
}

/** The stored pair, and the legacy schedule it was read from (to tell a duplicate row from a changed one). */
type MappedPlan = ImportPlan & { readonly input: RecurringInput };

export const autobillingsKind: MigrationKindModule<MappedPlan> = {
  kind: "autobillings",
  keyOf: (f) => f["acid"] ?? "",
  validate(f) {
    const bad = validateAutoBillingRow(f);
    if (bad) return bad;
    const id = f["subscriptionId"] ?? "";
    if (!isUnivapayId(id))
      return rowFailed("bad_row", id === "" ? "the subscription id is empty" : `the subscription id is not a UnivaPay id: ${id.slice(0, 40)}`);
    const next = f["nextDate"] ?? "";
    if (next !== "" && !parseLegacyDate(next)) return rowFailed("bad_row", `nextDate is not a date (YYYY-MM-DD): ${next.slice(0, 20)}`);
    return undefined;
  },
  async check(ctx, f) {
    const acid = f["acid"] ?? "";
    const subscriptionId = (f["subscriptionId"] ?? "").toLowerCase();
    const sid = ctx.merchant.sid;
    const held = await ctx.store.findSubscription(sid, acid);
    if (held) return { ok: false, outcome: same(held, subscriptionId, statedSchedule(ctx, f, held)) };
    const other = await ctx.store.findSubscriptionByUnivapayId(subscriptionId);
    if (other)
      return {
        ok: false,
        outcome: rowFailed("in_use", `subscription ${subscriptionId} is auto-billing ${other.sid === sid ? other.acid : "of another merchant"} already`),
      };
    const pid = f["pid"] ?? "";
    if (pid !== "" && (await ctx.store.findPaymentByPid(pid))) return { ok: false, outcome: rowFailed("conflict", `pid ${pid} is another payment already`) };
    const c = ctx.merchant.credentials;
    const got = await lookUp(`subscription ${subscriptionId}`, c.storeId, () => ctx.client.getSubscription(c, subscriptionId));
    if (!got.found) return { ok: false, outcome: got.outcome };
    const sub = got.value;
    if (sub.mode !== ctx.merchant.mode)
      return { ok: false, outcome: rowFailed("wrong_mode", `subscription ${sub.id} is ${sub.mode}, the merchant is ${ctx.merchant.mode}`) };
    if (sub.currency.toUpperCase() !== "JPY")
      return { ok: false, outcome: rowFailed("wrong_type", `subscription ${sub.id} is in ${sub.currency}; legacy auto-billings are in yen`) };
    const states = ctx.table.migration.autoBillingStates;
    if (!states.includes(sub.status)) {
      return { ok: false, outcome: rowFailed("state_refused", `subscription ${sub.id} is ${sub.status}; only ${states.join(", ")} subscriptions are mapped`) };
    }
    const charges = await lookUp(`the charges of subscription ${sub.id}`, c.storeId, async () => ({
      store_id: c.storeId,
      items: await ctx.client.listSubscriptionCharges(c, sub.id),
    }));
    if (!charges.found) return { ok: false, outcome: charges.outcome };
    return planOf(ctx, f, sub, charges.value.items);
  },
  async apply(tx, ctx, plan) {
    const stored = await storeImport(tx, ctx, plan, (held) => same(held, plan.subscription.subscriptionId ?? "", plan.input));
    if (!stored.ok) return stored.outcome;
    return { status: "migrated", newId: plan.subscription.subscriptionId, code: null, message: `pid ${stored.anchor.pid}` };
  },
  storedDrift: storedDriftOf,
};
