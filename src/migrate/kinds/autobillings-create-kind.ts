/**
 * `migrate autobillings --create`: a legacy auto-billing that UnivaPay did not migrate becomes a
 * subscription created from its legacy schedule, on the member's saved card. Never billed twice,
 * never missed:
 * - nothing is charged at creation (initial_amount 0: a card registration), and the first
 *   automatic charge is the old system's next date (schedule_settings.start_on);
 * - a row whose next date is closer than `minLeadDays` is refused (too_close), leaving time to stop
 *   the old auto-billing first;
 * - the auto-billing is stored (`requested`) before the create is sent, and the create carries an
 *   Idempotency-Key derived from that record, so a rerun after a kill resends the same create and
 *   gets the same subscription back; one whose answer was lost for longer than UnivaPay keeps its
 *   keys is `unresolved`, never sent again;
 * - a create UnivaPay refused leaves nothing behind, so the row can be fixed and run again.
 * A mapped member's card is not fetched again in a real run (the create checks it): so rows go at
 * the create bucket's rate, not at the GET bucket's.
 */
import { AppError } from "../../errors/app-error";
import { billingCycle } from "../../recurring/billing-cycle";
import type { RecurringInput } from "../../recurring/read-recurring-params";
import { civilDate, type CivilDate } from "../../recurring/civil-date";
import type { SubscriptionRow } from "../../store/store-types";
import { deriveIdempotencyKey } from "../../univapay/idempotency-key";
import { CreateSubscriptionBodySchema, type CreateSubscriptionBody, type Subscription } from "../../univapay/univapay-types";
import type { RowContext, MigrationKindModule, RowFields } from "../migration-kind";
import { rowFailed, type RowCode, type RowOutcome } from "../row-outcome";
import { createdDrift } from "./auto-billing-drift";
import { isUnivapayId } from "../../univapay/univapay-id";
import {
  autoBillingDifference,
  driftJson,
  importPlan,
  legacyScheduleOf,
  parseDrift,
  recordCreated,
  storedDriftOf,
  storeImport,
  validateAutoBillingRow,
  type ImportPlan,
} from "./auto-billing-rows";
import { MEMBER_ID } from "./legacy-ids";
import { ALL_CHARGES } from "./autobillings-kind";
import { migratedSchedule, parseLegacyDate } from "./legacy-schedule";
import { checkCardToken, noCvvAuthorization } from "./card-token-check";

/** UnivaPay replays a POST under the same Idempotency-Key for 24 h (univapay-api §1.6); we stop an hour short. */
export const CREATE_REPLAY_WINDOW_MS = 23 * 60 * 60_000;
/** schedule_settings.start_on can be set up to 999 days ahead (univapay-api §7). */
const MAX_DAYS_AHEAD = 999;

interface CreatePlan {
  readonly stored: ImportPlan;
  readonly input: RecurringInput;
  readonly body: CreateSubscriptionBody;
  /** The requested row of an earlier pass whose create may have been sent. */
  readonly resume: SubscriptionRow | null;
  readonly subscription: Subscription | null;
  /** A resumed row: where the body first sent (and resent) differs from what the row says now. */
  readonly differences: readonly string[];
  /**
   * This row's own sending, across the runner's retries of `act` (the same plan each time): the
   * record it stored, and whether a create may have gone out (then a refusal discards nothing).
   */
  readonly sending: { row: SubscriptionRow | null; sent: boolean; claimed: boolean };
}

/** The fields where two create bodies differ (top level, and schedule_settings one level down). */
function bodyDifferences(first: CreateSubscriptionBody, now: CreateSubscriptionBody): string[] {
  const out: string[] = [];
  const walk = (a: Record<string, unknown>, b: Record<string, unknown>, prefix: string) => {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (k === "schedule_settings" && prefix === "") {
        walk((a[k] ?? {}) as Record<string, unknown>, (b[k] ?? {}) as Record<string, unknown>, `${k}.`);
      } else if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) out.push(`${prefix}${k}`);
    }
  };
  walk(first as Record<string, unknown>, now as Record<string, unknown>, "");
  return out;
}

const keyOf = (sid: string, row: SubscriptionRow): string => deriveIdempotencyKey("migrate-autobilling", sid, row.acid, row.createdAt.toISOString());

/** What holds the acid already, against what the row asks for (`differences`, empty: the same). */
function heldOutcome(row: SubscriptionRow, differences: readonly string[]): RowOutcome {
  if (row.subscriptionId === null) {
    return rowFailed("conflict", `acid ${row.acid} is being created by another row (its create is not answered yet); nothing was overwritten`);
  }
  if (row.origin !== "created") {
    return rowFailed(
      "conflict",
      `acid ${row.acid} is auto-billing ${row.subscriptionId} already (not one this command created); nothing was overwritten`,
      row.subscriptionId,
    );
  }
  if (differences.length === 0) return { status: "unchanged", newId: row.subscriptionId, code: null, message: `acid ${row.acid} was created already` };
  return rowFailed(
    "conflict",
    `acid ${row.acid} was created already with another schedule (${differences.join("; ")}); nothing was changed: use ACCHANGE, or ACCANCEL and a new acid`,
    row.subscriptionId,
  );
}

const CREATED = "a created auto-billing";

const days = (n: number): string => `${n} ${n === 1 ? "day" : "days"}`;

/**
 * Codes of a refused create that say what is wrong with the row's card, as the check would have
 * (a real run does not GET a mapped member's token first: see check); any other refusal is `rejected`.
 */
const REFUSED_CARD: Readonly<Record<string, RowCode>> = {
  RECURRING_TOKEN_DISABLED: "inactive",
  TOKEN_FOR_WRONG_STORE: "not_found",
  NOT_SUBSCRIPTION_TOKEN: "wrong_type",
  NOT_RECURRING_TOKEN: "wrong_type",
};

type CardOf = { ok: true; tokenId: string; member: boolean } | { ok: false; outcome: RowOutcome };

/** The card the subscription bills: the member's (after `migrate members`) or the row's token. */
async function tokenOf(ctx: RowContext, f: RowFields): Promise<CardOf> {
  const member = f["upcmemberid"] ?? "";
  const given = (f["tokenId"] ?? "").toLowerCase();
  if (member === "") return { ok: true, tokenId: given, member: false };
  const saved = await ctx.store.getMemberToken(ctx.merchant.sid, member);
  if (!saved) return { ok: false, outcome: rowFailed("not_found", `member ${member} has no saved card at the gateway: run migrate members first`) };
  if (given !== "" && given !== saved.tokenId)
    return { ok: false, outcome: rowFailed("conflict", `member ${member} is token ${saved.tokenId}, not the row's ${given}`) };
  return { ok: true, tokenId: saved.tokenId, member: true };
}

function leadProblem(ctx: RowContext, next: CivilDate): RowOutcome | undefined {
  const today = civilDate.tokyoDateOf(ctx.now());
  const lead = civilDate.daysBetween(today, next);
  if (lead < ctx.minLeadDays) {
    const when = lead < 0 ? `${days(-lead)} ago` : lead === 0 ? "today" : `in ${days(lead)}`;
    return rowFailed(
      "too_close",
      `the next legacy billing date ${next} is ${when}; at least ${days(ctx.minLeadDays)} are needed to stop the old auto-billing first`,
    );
  }
  if (lead > MAX_DAYS_AHEAD) return rowFailed("bad_row", `nextDate ${next} is more than ${MAX_DAYS_AHEAD} days ahead, which UnivaPay does not take`);
  return undefined;
}

export const autobillingsCreateKind: MigrationKindModule<CreatePlan> = {
  kind: "autobillings-create",
  keyOf: (f) => f["acid"] ?? "",
  validate(f) {
    const bad = validateAutoBillingRow(f);
    if (bad) return bad;
    const member = f["upcmemberid"] ?? "";
    const token = f["tokenId"] ?? "";
    if (member === "" && token === "") return rowFailed("bad_row", "neither upcmemberid nor a token id: the subscription needs the member's card");
    if (member !== "" && !MEMBER_ID.test(member)) return rowFailed("bad_row", "upcmemberid must be 1-100 printable ASCII characters");
    if (token !== "" && !isUnivapayId(token)) return rowFailed("bad_row", `the token id is not a UnivaPay id: ${token.slice(0, 40)}`);
    if (!parseLegacyDate(f["nextDate"] ?? "")) return rowFailed("bad_row", `nextDate is not a date (YYYY-MM-DD): ${(f["nextDate"] ?? "").slice(0, 20)}`);
    return undefined;
  },
  async check(ctx, f) {
    const sid = ctx.merchant.sid;
    const acid = f["acid"] ?? "";
    const legacy = legacyScheduleOf(ctx.table, f);
    if (!legacy.ok) return legacy;
    const input = legacy.input;
    const next = parseLegacyDate(f["nextDate"] ?? "") as CivilDate;
    const held = await ctx.store.findSubscription(sid, acid);
    const resume = held && held.origin === "created" && held.subscriptionId === null ? held : null;
    if (held && !resume) {
      const card = await tokenOf(ctx, f);
      return { ok: false, outcome: heldOutcome(held, autoBillingDifference(held, input, card.ok ? card.tokenId : null)) };
    }
    if (resume && ctx.now().getTime() - resume.createdAt.getTime() > CREATE_REPLAY_WINDOW_MS) {
      return {
        ok: false,
        outcome: rowFailed(
          "unresolved",
          `the create of acid ${acid} was sent at ${resume.createdAt.toISOString()} and never answered, and UnivaPay no longer replays it: npm run ops -- resolve-autobilling --sid ${sid} --acid ${acid} looks for it at UnivaPay and records it, or removes the record when there is none`,
        ),
      };
    }
    // A rerun within the window resends the same create (same key): the date may have come closer
    // since, but UnivaPay answers the create it already has.
    if (!resume) {
      const close = leadProblem(ctx, next);
      if (close) return { ok: false, outcome: close };
    }
    const pid = f["pid"] ?? "";
    if (!resume && pid !== "" && (await ctx.store.findPaymentByPid(pid)))
      return { ok: false, outcome: rowFailed("conflict", `pid ${pid} is another payment already`) };
    const token = resume?.tokenId ? { ok: true as const, tokenId: resume.tokenId, member: true } : await tokenOf(ctx, f);
    if (!token.ok) return token;
    // A member's token was checked when it was mapped (migrate members) or made by the gateway
    // itself. A real run does not GET it again: the create is the check (UnivaPay refuses it for a
    // card deactivated since, and nothing is kept), so creates run at their own rate bucket rather
    // than at the GETs'. A dry run, which creates nothing, checks it now; a bare token id always.
    // A create that may have been sent is resent, never judged again here: UnivaPay answers it.
    if (!resume && (ctx.dryRun || !token.member)) {
      const refused = await checkCardToken(ctx, token.tokenId, { types: ["recurring"], by: CREATED, needsCvvAuthorization: true });
      if (refused) return { ok: false, outcome: refused };
    }

    const schedule = migratedSchedule(input, next);
    const retryDays = input.retryDays ?? ctx.table.recurring.defaults.legacyRetryIntervalDays;
    // UnivaPay refuses a retry_interval that is not shorter than the cycle (as planRecurring).
    const retrySent = retryDays < billingCycle.days(schedule.cycle);
    const n = input.automaticCharges;
    const asRowSays = CreateSubscriptionBodySchema.parse({
      transaction_token_id: token.tokenId,
      amount: n === null ? input.cycleAmount : n * input.cycleAmount,
      currency: "JPY",
      initial_amount: 0,
      ...schedule.cycleField,
      schedule_settings: {
        zone_id: ctx.table.recurring.defaults.zoneId,
        start_on: schedule.startOn,
        ...(schedule.preserveEndOfMonth ? { preserve_end_of_month: true } : {}),
        ...(retrySent ? { retry_interval: `P${retryDays}D` } : {}),
      },
      ...(n === null ? {} : { subscription_plan: { plan_type: "fixed_cycles", fixed_cycles: n + 1 } }),
      metadata: { "legacy-acid": acid, ...((f["sod"] ?? "") ? { "univapay-reference-id": f["sod"] } : {}) },
    });
    // A create that may have been made is resent exactly as it was first sent (migration 12), so
    // UnivaPay's replay under its key is that create; what the row says now is only reported.
    const sent = resume?.createBody ? CreateSubscriptionBodySchema.safeParse(JSON.parse(resume.createBody)) : undefined;
    if (resume && !sent?.success) {
      // Stored before migration 12 (no body kept): resent as the row says only if it says what
      // the record does; the card is the one recorded.
      const differences = autoBillingDifference(resume, input, null);
      if (differences.length > 0) {
        return {
          ok: false,
          outcome: rowFailed(
            "conflict",
            `a create of acid ${acid} with another schedule was sent and not answered (${differences.join("; ")}): run the file it came from again first`,
          ),
        };
      }
    }
    const body = sent?.success ? sent.data : asRowSays;
    const differences = sent?.success ? bodyDifferences(sent.data, asRowSays) : [];
    const drift = createdDrift(ctx.table.recurring, schedule, {
      cycle: schedule.cycle,
      retryCount: (f["acrt"] ?? "") === "" ? null : input.retryCount,
      retryDays: input.retryDays,
      automaticCharges: n,
    });
    const stored = importPlan(ctx, f, {
      subscriptionId: null,
      status: "requested",
      tokenId: token.tokenId,
      actp: input.actp,
      acdc: input.acdc,
      acmc: input.acmc,
      cycleAmount: input.cycleAmount,
      automaticCharges: n,
      nextDueOn: schedule.startOn,
      syncAfter: null,
      drift: driftJson(drift),
      origin: "created",
      cyclesAfter: ALL_CHARGES,
      createBody: JSON.stringify(body),
    });
    const notes = resume ? parseDrift(resume.drift) : drift;
    const sending = { row: resume, sent: resume !== null, claimed: false };
    return { ok: true, plan: { stored, input, body, resume, subscription: null, differences, sending }, newId: "", drift: notes };
  },
  async act(ctx, plan) {
    const sid = ctx.merchant.sid;
    const acid = plan.stored.acid;
    const own = plan.sending;
    if (!own.claimed) {
      // First try of this row: no other line of the file sends for this acid in this run.
      if (ctx.claims.has(acid))
        return { ok: false, outcome: rowFailed("conflict", `acid ${acid} is on another line of this file; nothing was sent for this one`) };
      ctx.claims.add(acid);
      own.claimed = true;
    }
    if (own.row === null) {
      // Recorded before anything is sent: a kill after the send leaves the row for the rerun to resend.
      const r = await ctx.store.transaction((tx) =>
        storeImport(tx, ctx, plan.stored, (held) => heldOutcome(held, autoBillingDifference(held, plan.input, plan.body.transaction_token_id))),
      );
      if (!r.ok) return { ok: false, outcome: r.outcome };
      own.row = r.row;
    }
    const row = own.row;
    const resent = own.sent;
    // From here a create may be out: the runner's retry of this act (UnivaPay did not answer) is a resend.
    own.sent = true;
    try {
      const sub = await ctx.client.createSubscription(ctx.merchant.credentials, plan.body, keyOf(sid, row));
      return { ok: true, plan: { ...plan, resume: row, subscription: sub }, newId: sub.id };
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== "univapay_rejected") throw err;
      const u = err.opts.upstream;
      if (resent) {
        // UnivaPay replays a create it made under its key, so a refusal now says it was most likely
        // never made; but its idempotency is best-effort, and a second subscription is the one thing
        // that must not happen: the record stays, for a person to settle.
        return {
          ok: false,
          outcome: rowFailed(
            "unresolved",
            `UnivaPay refused the resent create of acid ${acid} (${u?.code ?? u?.httpStatus ?? "?"}), whose first send may have made it: npm run ops -- resolve-autobilling --sid ${sid} --acid ${acid} looks for it at UnivaPay and records it, or removes the record when there is none`,
          ),
        };
      }
      // UnivaPay said no to a create sent once: nothing was made there, so nothing stays here either.
      await ctx.store.transaction((tx) => tx.discardImportedAutoBilling(sid, acid));
      if (u?.code === "CVV_AUTHORIZATION_NOT_COMPLETED") return { ok: false, outcome: noCvvAuthorization(plan.body.transaction_token_id, CREATED) };
      const code: RowCode = (u?.code ? REFUSED_CARD[u.code] : undefined) ?? (u?.httpStatus === 404 ? "not_found" : "rejected");
      return {
        ok: false,
        outcome: rowFailed(
          code,
          `UnivaPay refused the subscription: ${u?.code ?? u?.httpStatus ?? "?"}${u?.fields?.length ? ` (${u.fields.map((x) => x.field).join(", ")})` : ""}`,
        ),
      };
    }
  },
  async apply(tx, ctx, plan) {
    const sub = plan.subscription;
    const row = plan.resume;
    if (!sub || !row) throw new Error("autobillings-create: apply without a created subscription");
    await recordCreated(tx, row, sub, ctx.now());
    if (plan.differences.length > 0) {
      // Recorded (it exists at UnivaPay), but not what the row asks for: the merchant must look.
      return rowFailed(
        "conflict",
        `acid ${row.acid} was created as first sent (pid ${row.firstPid}); the row now differs in ${plan.differences.join(" and ")}, which was not applied: use ACCHANGE, or ACCANCEL and a new acid`,
        sub.id,
      );
    }
    return { status: "migrated", newId: sub.id, code: null, message: `pid ${row.firstPid}` };
  },
  storedDrift: storedDriftOf,
};
