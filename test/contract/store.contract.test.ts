/**
 * One contract suite for both Store implementations: SQLite (temp file) and PostgreSQL (fresh
 * random schema, dropped afterwards). Assumes no SQL dialect except where the test is about
 * PostgreSQL concurrency itself. Time is an injected clock; nothing waits on timers.
 */
import { MIGRATIONS } from "../../src/store/migrations/migrations";
import { Client } from "pg";
import { isAppError } from "../../src/errors/app-error";
import { createLogger } from "../../src/logging/logger";
import { createStore } from "../../src/store/create-store";
import type { NewKickbackAttempt, Store } from "../../src/store/store-types";
import { creationTransitionId } from "../../src/store/store-types";
import {
  buildKickback,
  buildPayment,
  buildTransition,
  insertPayment,
  buildWebhookEvent,
  createManualClock,
  postgresTarget,
  sqliteTarget,
  TEST_PG_URL,
  type DbTarget,
} from "./store-builders";

const silent = createLogger({ level: "silent" });
const LOCK_MS = 30_000;
/** Rows claimed here stay locked for decades past every instant the tests use. */
const FAR_FUTURE = new Date("2100-01-01T00:00:00.000Z");
const FOREVER_MS = 1e12;

function capturingLogger(): { logger: ReturnType<typeof createLogger>; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({ level: "info", destination: { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) } });
  return { logger, lines };
}

function attempt(kickbackId: string, at: Date, over: Partial<NewKickbackAttempt> = {}): NewKickbackAttempt {
  return {
    kickbackId,
    attemptNo: 1,
    url: "http://merchant.example/kb?x=1",
    statusCode: 500,
    durationMs: 12,
    bodyHead: "oops",
    error: null,
    trigger: "auto",
    at,
    ...over,
  };
}

describe.each([
  ["sqlite", sqliteTarget],
  ["postgres", postgresTarget],
] as const)("Store contract (%s)", (dialect, makeTarget) => {
  let target: DbTarget;
  let store: Store;
  const clock = createManualClock();

  beforeAll(async () => {
    target = makeTarget();
    store = await createStore({ databaseUrl: target.databaseUrl, pgSchema: target.pgSchema, logger: silent, now: clock.now });
  });
  afterAll(async () => {
    await store?.close();
    await target?.cleanup();
  });

  /** Takes every earlier test's due kickbacks out of play, so claims below see only their rows. */
  async function drainKickbacks(): Promise<void> {
    await store.claimDueKickbacks("drain", FAR_FUTURE, 1_000_000, FOREVER_MS);
  }

  async function newPayment(over = {}) {
    return (await insertPayment(store, buildPayment(over))).row;
  }
  async function newKickback(now: Date, over = {}) {
    const p = await newPayment();
    expect(await store.enqueueKickback(buildKickback(p.pid, over), now)).toBe(true);
    const [k] = await store.listKickbacks(p.pid);
    if (!k) throw new Error("kickback not stored");
    return k;
  }

  it("reports its dialect and answers ping", async () => {
    expect(store.dialect).toBe(dialect);
    await expect(store.ping()).resolves.toBeUndefined();
  });

  describe("payments", () => {
    it("createPayment is idempotent on (sid, requestKey), mints an 8-digit pid and writes its creation transition", async () => {
      const p = buildPayment();
      const first = await insertPayment(store, p);
      const again = await insertPayment(store, { ...p, amount: 999 });
      expect(first.created).toBe(true);
      expect(first.row.pid).toMatch(/^[1-9]\d{7}$/);
      expect(again).toEqual({ ...first, created: false });
      expect(first.row).toMatchObject({ ...p, createdAt: clock.now(), updatedAt: clock.now() });
      expect(first.transition).toMatchObject({
        id: creationTransitionId(first.row.pid),
        pid: first.row.pid,
        kind: "charge",
        job: p.job,
        state: "requested",
        requestKey: null,
      });
      expect(await store.findTransition(first.transition.id)).toEqual(first.transition);
      const otherSid = await insertPayment(store, { ...p, sid: "S002" });
      expect(otherSid.created).toBe(true);
      expect(otherSid.row.pid).not.toBe(first.row.pid);
    });

    it("mints unique, random-looking pids over a few thousand inserts", async () => {
      const pids = await store.transaction(async (tx) => {
        const out: number[] = [];
        for (let i = 0; i < 2000; i++) out.push(Number((await insertPayment(tx, buildPayment({ sid: "BULK" }))).row.pid));
        return out;
      });
      expect(new Set(pids).size).toBe(pids.length);
      expect(pids.every((n) => n >= 10_000_000 && n <= 99_999_999)).toBe(true);
      const adjacent = pids.slice(1).filter((n, i) => Math.abs(n - (pids[i] ?? 0)) <= 1).length;
      expect(adjacent).toBeLessThan(5); // sequential minting would make nearly all of them adjacent
      expect(Math.min(...pids)).toBeLessThan(20_000_000);
      expect(Math.max(...pids)).toBeGreaterThan(90_000_000);
    }, 30_000);

    it("retries with a new pid when the minted one is taken", async () => {
      const taken = await newPayment();
      const script = [taken.pid, taken.pid, "55555555"];
      const scripted = await createStore({
        databaseUrl: target.databaseUrl,
        pgSchema: target.pgSchema,
        logger: silent,
        mintPid: () => script.shift() ?? "99999999",
      });
      try {
        const r = await insertPayment(scripted, buildPayment());
        expect(r).toMatchObject({ created: true, row: { pid: "55555555" } });
        expect(script).toEqual([]);
        // Inside a transaction too: a collision must not abort the surrounding PostgreSQL transaction.
        script.push(taken.pid, "55555556");
        const inTx = await scripted.transaction(async (tx) => (await insertPayment(tx, buildPayment())).row.pid);
        expect(inTx).toBe("55555556");
      } finally {
        await scripted.close();
      }
      expect((await store.findPaymentByPid(taken.pid))?.requestKey).toBe(taken.requestKey);
    });

    it("finds by sid+pid and pid; updatePayment patches and stamps updatedAt", async () => {
      const p = await newPayment();
      expect(await store.findPayment(p.sid, p.pid)).toEqual(p);
      expect(await store.findPayment("OTHER", p.pid)).toBeUndefined();
      clock.advance(1000);
      const chargeId = `ch_${p.pid}`;
      const u = await store.updatePayment(p.pid, { chargeId, state: "captured" });
      expect(u).toMatchObject({ chargeId, state: "captured", amount: p.amount });
      expect(u.updatedAt.getTime()).toBe(p.createdAt.getTime() + 1000);
      expect(u.createdAt).toEqual(p.createdAt);
      expect(await store.findPaymentByPid(p.pid)).toEqual(u);
    });

    it("updatePayment of an unknown pid rejects with not_found", async () => {
      const err: unknown = await store.updatePayment("00000000", { state: "failed" }).catch((e: unknown) => e);
      expect(isAppError(err) && err.code).toBe("not_found");
    });
  });

  describe("transitions", () => {
    it("insertTransition is idempotent on (sid, requestKey); finds by id, request key and UnivaPay id; lists by pid", async () => {
      const p = await newPayment();
      const t = buildTransition({ job: "CANCEL", kind: "cancel", resource: "cancel" });
      clock.advance(10);
      const first = await store.insertTransition(p.pid, t);
      expect(first.created).toBe(true);
      expect(first.row).toMatchObject({ ...t, pid: p.pid });
      expect(await store.insertTransition(p.pid, t)).toEqual({ row: first.row, created: false });
      clock.advance(10);
      const second = (await store.insertTransition(p.pid, buildTransition({ univapayId: `ch_l_${p.pid}` }))).row;
      expect(await store.findTransition(first.row.id)).toEqual(first.row);
      expect(await store.findTransitionByRequestKey(p.sid, t.requestKey as string)).toEqual(first.row);
      expect(await store.findTransitionByRequestKey("OTHER", t.requestKey as string)).toBeUndefined();
      expect((await store.listTransitions(p.pid)).map((r) => r.id)).toEqual([creationTransitionId(p.pid), first.row.id, second.id]);
      expect((await store.listTransitionsByUnivapayId(`ch_l_${p.pid}`)).map((r) => r.id)).toEqual([second.id]);
      expect(await store.findTransition("nope")).toBeUndefined();
    });

    it("recordPending moves an open transition to pending with its resource, and its payment, but never a settled one", async () => {
      const p = await newPayment();
      const c = creationTransitionId(p.pid);
      const r = await store.recordPending(
        c,
        { univapayId: `ch_p_${p.pid}`, resource: "charge", univapayStatus: "pending" },
        { state: "pending", chargeId: `ch_p_${p.pid}` },
      );
      expect(r.transition).toMatchObject({ state: "pending", univapayId: `ch_p_${p.pid}`, resource: "charge", univapayStatus: "pending" });
      expect(r.payment).toMatchObject({ state: "pending", chargeId: `ch_p_${p.pid}` });
      expect((await store.listTransitionsByUnivapayId(`ch_p_${p.pid}`)).map((t) => t.id)).toEqual([c]);
      await store.settleTransition(c, { state: "succeeded", univapayStatus: "successful" }, { state: "captured" }, null, clock.now());
      // A late writer that still believes it is open changes nothing, on either row.
      const late = await store.recordPending(c, { univapayStatus: "pending" }, { state: "pending" });
      expect(late.transition).toMatchObject({ state: "succeeded", univapayStatus: "successful" });
      expect(late.payment.state).toBe("captured");
      const err: unknown = await store.recordPending("nope", {}, null).catch((e: unknown) => e);
      expect(isAppError(err) && err.code).toBe("not_found");
    });

    it("settleTransition settles an open transition, its payment and its kickback in one step, once", async () => {
      const p = await newPayment();
      const c = creationTransitionId(p.pid);
      const kb = buildKickback(p.pid, { transition: c, query: `pid=${p.pid}&rst=1&no=%82%A0` });
      const first = await store.settleTransition(
        c,
        { state: "succeeded", univapayStatus: "successful", univapayId: `ch-${p.pid}`, resource: "charge" },
        { state: "captured", chargeId: `ch-${p.pid}`, mode: "live" },
        kb,
        clock.now(),
      );
      expect(first?.enqueued).toBe(true);
      expect(first?.transition).toMatchObject({ id: c, state: "succeeded", univapayStatus: "successful", univapayId: `ch-${p.pid}`, errorCode: null });
      expect(first?.payment).toMatchObject({ pid: p.pid, state: "captured", chargeId: `ch-${p.pid}`, mode: "live" });
      expect(await store.findPaymentByPid(p.pid)).toEqual(first?.payment);
      expect(await store.findTransition(c)).toEqual(first?.transition);
      const queued = await store.listKickbacks(p.pid);
      expect(queued).toHaveLength(1);
      expect(queued[0]).toMatchObject({ transition: c, url: kb.url, query: kb.query, state: "pending", nextAttemptAt: clock.now() });
      // Already settled: nothing moves, nothing is queued again.
      expect(await store.settleTransition(c, { state: "failed", errorCode: "ER000T52G01" }, { state: "failed" }, kb, clock.now())).toBeUndefined();
      expect((await store.findPaymentByPid(p.pid))?.state).toBe("captured");
      expect((await store.findTransition(c))?.state).toBe("succeeded");
      expect(await store.listKickbacks(p.pid)).toHaveLength(1);
    });

    it("settleTransition of a later transition records its ec and leaves the payment when told nothing", async () => {
      const p = await newPayment({ state: "authorized", chargeId: "ch-auth" });
      const { row } = await store.insertTransition(p.pid, buildTransition({ univapayId: "ch-auth" }));
      const r = await store.settleTransition(
        row.id,
        { state: "failed", errorCode: "ER000T52G01", univapayStatus: "failed" },
        null,
        buildKickback(p.pid, { transition: row.id }),
        clock.now(),
      );
      expect(r).toMatchObject({ enqueued: true, transition: { state: "failed", errorCode: "ER000T52G01" }, payment: { state: "authorized" } });
      expect((await store.findPaymentByPid(p.pid))?.updatedAt).toEqual(p.updatedAt);
    });

    it("settleTransition still settles when the kickback was queued by the other path first", async () => {
      const p = await newPayment();
      const c = creationTransitionId(p.pid);
      expect(await store.enqueueKickback(buildKickback(p.pid, { transition: c }), clock.now())).toBe(true);
      const r = await store.settleTransition(c, { state: "succeeded" }, { state: "captured" }, buildKickback(p.pid, { transition: c }), clock.now());
      expect(r).toMatchObject({ enqueued: false, payment: { state: "captured" } });
      expect(await store.listKickbacks(p.pid)).toHaveLength(1);
    });

    it("two settlements of one transition at once: exactly one applies", async () => {
      const p = await newPayment();
      const c = creationTransitionId(p.pid);
      const kb = buildKickback(p.pid, { transition: c });
      const [a, b] = await Promise.all([
        store.settleTransition(c, { state: "succeeded" }, { state: "captured" }, kb, clock.now()),
        store.settleTransition(c, { state: "failed", errorCode: "ER000T52G01" }, { state: "failed" }, kb, clock.now()),
      ]);
      expect([a, b].filter((x) => x !== undefined)).toHaveLength(1);
      expect(await store.listKickbacks(p.pid)).toHaveLength(1);
      const t = await store.findTransition(c);
      const pay = await store.findPaymentByPid(p.pid);
      expect(t?.state === "succeeded" ? pay?.state : "failed").toBe(t?.state === "succeeded" ? "captured" : pay?.state);
    });

    it("settleTransition of an unknown id settles nothing", async () => {
      expect(await store.settleTransition("nope", { state: "failed" }, null, null, clock.now())).toBeUndefined();
    });
  });

  describe("member tokens", () => {
    it("gets nothing, then the stored token, then the replacement", async () => {
      expect(await store.getMemberToken("S001", "m-1")).toBeUndefined();
      await store.putMemberToken("S001", "m-1", "tok_a");
      const a = await store.getMemberToken("S001", "m-1");
      expect(a).toMatchObject({ sid: "S001", memberId: "m-1", tokenId: "tok_a" });
      await store.putMemberToken("S001", "m-1", "tok_b");
      expect(await store.getMemberToken("S001", "m-1")).toEqual({ ...a, tokenId: "tok_b" });
      expect(await store.getMemberToken("S002", "m-1")).toBeUndefined();
    });
  });

  describe("kickback outbox", () => {
    it("enqueueKickback is unique per (pid, transition)", async () => {
      const p = await newPayment();
      const now = clock.now();
      expect(await store.enqueueKickback(buildKickback(p.pid), now)).toBe(true);
      expect(await store.enqueueKickback(buildKickback(p.pid, { query: "different" }), now)).toBe(false);
      expect(await store.enqueueKickback(buildKickback(p.pid, { transition: "SALES" }), now)).toBe(true);
      const list = await store.listKickbacks(p.pid);
      expect(list.map((k) => k.transition).sort()).toEqual(["CAPTURE", "SALES"]);
      expect(list[0]).toMatchObject({
        state: "pending",
        attempts: 0,
        nextAttemptAt: now,
        lockedBy: null,
        lockedUntil: null,
        deliveredAt: null,
        nextTrigger: "auto",
      });
      expect(await store.findKickback(list[0]?.id ?? "")).toEqual(list[0]);
    });

    it("a transaction that throws leaves nothing behind; one that resolves commits both", async () => {
      const p = await newPayment();
      await expect(
        store.transaction(async (tx) => {
          await tx.updatePayment(p.pid, { state: "captured" });
          await tx.enqueueKickback(buildKickback(p.pid), clock.now());
          throw new Error("boom");
        }),
      ).rejects.toThrow("boom");
      expect((await store.findPaymentByPid(p.pid))?.state).toBe("requested");
      expect(await store.listKickbacks(p.pid)).toEqual([]);
      const r = await store.transaction(async (tx) => {
        await tx.updatePayment(p.pid, { state: "captured" });
        return tx.enqueueKickback(buildKickback(p.pid), clock.now());
      });
      expect(r).toBe(true);
      expect((await store.findPaymentByPid(p.pid))?.state).toBe("captured");
      expect(await store.listKickbacks(p.pid)).toHaveLength(1);
    });

    it("concurrent transactions stay independent: one that throws undoes only itself", async () => {
      const [a, b, c] = [await newPayment(), await newPayment(), await newPayment()];
      // Started in the same turn: on SQLite they share one commit (group commit), on PostgreSQL
      // each has its own; either way each one is all-or-nothing on its own.
      const results = await Promise.allSettled([
        store.transaction(async (tx) => {
          await tx.updatePayment(a.pid, { state: "captured" });
          return tx.enqueueKickback(buildKickback(a.pid), clock.now());
        }),
        store.transaction(async (tx) => {
          await tx.updatePayment(b.pid, { state: "captured" });
          await tx.enqueueKickback(buildKickback(b.pid), clock.now());
          throw new Error("boom");
        }),
        store.transaction(async (tx) => {
          await tx.updatePayment(c.pid, { state: "failed" });
          return tx.enqueueKickback(buildKickback(c.pid), clock.now());
        }),
      ]);
      expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
      expect((await store.findPaymentByPid(a.pid))?.state).toBe("captured");
      expect((await store.findPaymentByPid(b.pid))?.state).toBe("requested");
      expect(await store.listKickbacks(b.pid)).toEqual([]);
      expect((await store.findPaymentByPid(c.pid))?.state).toBe("failed");
      expect(await store.listKickbacks(c.pid)).toHaveLength(1);
    });

    it("the same legacy request inserted twice at once yields one payment", async () => {
      const p = buildPayment();
      const [x, y] = await Promise.all([insertPayment(store, p), insertPayment(store, { ...p })]);
      expect([x.created, y.created].sort()).toEqual([false, true]);
      expect(x.row.pid).toBe(y.row.pid);
    });

    it("claims only due rows, locks them, counts the attempt, and makes an expired lock claimable again", async () => {
      await drainKickbacks();
      const t0 = new Date(clock.now().getTime() + 60_000);
      const k = await newKickback(t0);
      expect(await store.claimDueKickbacks("A", new Date(t0.getTime() - 1), 10, LOCK_MS)).toEqual([]);
      const claimed = await store.claimDueKickbacks("A", t0, 10, LOCK_MS);
      expect(claimed).toEqual([{ ...k, attempts: 1, lockedBy: "A", lockedUntil: new Date(t0.getTime() + LOCK_MS) }]);
      expect(await store.claimDueKickbacks("B", new Date(t0.getTime() + LOCK_MS - 1), 10, LOCK_MS)).toEqual([]);
      const reclaimed = await store.claimDueKickbacks("B", new Date(t0.getTime() + LOCK_MS + 1), 10, LOCK_MS);
      expect(reclaimed.map((r) => [r.id, r.lockedBy])).toEqual([[k.id, "B"]]);
      // A died mid-delivery: its late completion must not overwrite B's claim.
      expect(await store.completeKickbackAttempt("A", attempt(k.id, t0, { statusCode: 200 }), { kind: "delivered" })).toBe(false);
      expect(await store.listAttempts(k.id)).toEqual([]);
      expect(await store.findKickback(k.id)).toMatchObject({ state: "pending", lockedBy: "B", attempts: 2 }); // both claims count
      expect(await store.completeKickbackAttempt("B", attempt(k.id, t0, { statusCode: 200 }), { kind: "delivered" })).toBe(true);
    });

    it("claims in next_attempt_at order up to the limit", async () => {
      await drainKickbacks();
      const base = new Date(clock.now().getTime() + 7_200_000);
      const late = await newKickback(new Date(base.getTime() + 2));
      const early = await newKickback(base);
      const mid = await newKickback(new Date(base.getTime() + 1));
      const now = new Date(base.getTime() + 10);
      const got = await store.claimDueKickbacks("A", now, 2, LOCK_MS);
      expect(got.map((r) => r.id)).toEqual([early.id, mid.id]);
      expect((await store.claimDueKickbacks("A", now, 5, LOCK_MS)).map((r) => r.id)).toEqual([late.id]);
    });

    it("completeKickbackAttempts records several outcomes in one call, skipping lost locks", async () => {
      await drainKickbacks();
      const t0 = new Date(clock.now().getTime() + 9_000_000);
      const a = await newKickback(t0);
      const b = await newKickback(t0);
      const c = await newKickback(t0);
      await store.claimDueKickbacks("W", t0, 100, LOCK_MS);
      // b is claimed by someone else meanwhile: its outcome must be discarded, the others kept.
      expect(await store.completeKickbackAttempt("W", attempt(b.id, t0), { kind: "retry", nextAttemptAt: t0 })).toBe(true);
      await store.claimDueKickbacks("X", t0, 100, LOCK_MS);
      const retryAt = new Date(t0.getTime() + 5_000);
      expect(
        await store.completeKickbackAttempts("W", [
          { attempt: attempt(a.id, t0, { statusCode: 200 }), outcome: { kind: "delivered" } },
          { attempt: attempt(b.id, t0, { attemptNo: 2, statusCode: 200 }), outcome: { kind: "delivered" } },
          { attempt: attempt(c.id, t0, { statusCode: 500 }), outcome: { kind: "retry", nextAttemptAt: retryAt } },
        ]),
      ).toEqual([true, false, true]);
      expect(await store.findKickback(a.id)).toMatchObject({ state: "delivered", attempts: 1, lockedBy: null });
      expect(await store.findKickback(b.id)).toMatchObject({ state: "pending", attempts: 2, lockedBy: "X" });
      expect(await store.findKickback(c.id)).toMatchObject({ state: "pending", attempts: 1, lastStatus: 500, nextAttemptAt: retryAt, lockedBy: null });
      expect((await store.listAttempts(a.id)).map((r) => r.statusCode)).toEqual([200]);
      expect((await store.listAttempts(b.id)).map((r) => r.attemptNo)).toEqual([1]);
      expect(await store.completeKickbackAttempts("W", [])).toEqual([]);
    });

    it("completeKickbackAttempt records retry, dead and delivered with attempt rows", async () => {
      await drainKickbacks();
      const t0 = new Date(clock.now().getTime() + 10_800_000);
      const k = await newKickback(t0);
      await store.claimDueKickbacks("W", t0, 100, LOCK_MS);
      const retryAt = new Date(t0.getTime() + 10_000);
      expect(
        await store.completeKickbackAttempt("W", attempt(k.id, t0, { statusCode: 503, bodyHead: "busy\u0000!" }), { kind: "retry", nextAttemptAt: retryAt }),
      ).toBe(true);
      expect(await store.findKickback(k.id)).toMatchObject({
        state: "pending",
        attempts: 1,
        lastStatus: 503,
        lastError: null,
        nextAttemptAt: retryAt,
        lockedBy: null,
        lockedUntil: null,
      });
      // Completing again without a claim is a stale completion.
      expect(await store.completeKickbackAttempt("W", attempt(k.id, t0), { kind: "dead" })).toBe(false);

      await store.claimDueKickbacks("W", retryAt, 100, LOCK_MS);
      const t1 = retryAt;
      expect(
        await store.completeKickbackAttempt("W", attempt(k.id, t1, { attemptNo: 2, statusCode: null, error: "ECONNREFUSED", bodyHead: "" }), { kind: "dead" }),
      ).toBe(true);
      expect(await store.findKickback(k.id)).toMatchObject({ state: "dead", attempts: 2, lastStatus: null, lastError: "ECONNREFUSED" });
      expect(await store.claimDueKickbacks("W", new Date(t1.getTime() + 86_400_000), 100, LOCK_MS)).toEqual([]);

      const t2 = new Date(t1.getTime() + 1000);
      expect(await store.requeueKickback(k.id, t2)).toBe(true);
      expect(await store.requeueKickback(k.id, t2)).toBe(false); // already pending
      expect(await store.requeueKickback("unknown", t2)).toBe(false);
      const [again] = await store.claimDueKickbacks("W", t2, 100, LOCK_MS);
      expect(again).toMatchObject({ id: k.id, state: "pending", nextTrigger: "manual", attempts: 3 });
      expect(
        await store.completeKickbackAttempt("W", attempt(k.id, t2, { attemptNo: 3, statusCode: 200, bodyHead: "OK!!", trigger: "manual", durationMs: 7 }), {
          kind: "delivered",
        }),
      ).toBe(true);
      expect(await store.findKickback(k.id)).toMatchObject({
        state: "delivered",
        attempts: 3,
        lastStatus: 200,
        deliveredAt: new Date(t2.getTime() + 7),
        nextTrigger: "auto",
        lockedBy: null,
      });

      const rows = await store.listAttempts(k.id);
      expect(rows.map((a) => [a.attemptNo, a.statusCode, a.trigger, a.error])).toEqual([
        [1, 503, "auto", null],
        [2, null, "auto", "ECONNREFUSED"],
        [3, 200, "manual", null],
      ]);
      expect(rows[0]).toMatchObject({ kickbackId: k.id, url: "http://merchant.example/kb?x=1", durationMs: 12, at: t0 });
      expect(rows[0]?.bodyHead).toMatch(/^busy.!$/); // NUL is not storable in PostgreSQL TEXT
      expect(await store.requeueKickback(k.id, t2)).toBe(true); // delivered → pending (operator resend)
    });

    it("two concurrent claimers get disjoint rows", async () => {
      await drainKickbacks();
      const t0 = new Date(clock.now().getTime() + 14_400_000);
      const ids = new Set<string>();
      for (let i = 0; i < 40; i++) ids.add((await newKickback(t0)).id);
      const [a, b] = await Promise.all([store.claimDueKickbacks("A", t0, 25, LOCK_MS), store.claimDueKickbacks("B", t0, 25, LOCK_MS)]);
      const got = [...a, ...b].map((r) => r.id);
      expect(new Set(got).size).toBe(got.length);
      expect(new Set(got)).toEqual(ids);
    });

    if (dialect === "postgres") {
      it("skips rows another claimer holds instead of waiting (SKIP LOCKED)", async () => {
        await drainKickbacks();
        const t0 = new Date(clock.now().getTime() + 18_000_000);
        for (let i = 0; i < 10; i++) await newKickback(t0);
        const other = new Client({ connectionString: TEST_PG_URL, options: `-c search_path=${target.pgSchema}` });
        await other.connect();
        try {
          await other.query("BEGIN");
          const held = await other.query<{ id: string }>(
            "SELECT id FROM kickbacks WHERE state = 'pending' AND locked_until IS NULL AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT 4 FOR UPDATE",
            [t0],
          );
          const heldIds = new Set(held.rows.map((r) => r.id));
          expect(heldIds.size).toBe(4);
          const got = await store.claimDueKickbacks("B", t0, 100, LOCK_MS);
          expect(got).toHaveLength(6);
          expect(got.some((r) => heldIds.has(r.id))).toBe(false);
        } finally {
          await other.query("ROLLBACK");
          await other.end();
        }
      });
    }
  });

  describe("webhook inbox", () => {
    it("de-duplicates, claims (counting the attempt), retries, completes and expires locks", async () => {
      const t0 = new Date(clock.now().getTime() + 21_600_000);
      await store.claimDueWebhookEvents("drain", new Date(t0.getTime() - 1), 100_000, LOCK_MS); // drain earlier rows
      const e = buildWebhookEvent({ body: '{"id":"x"}' });
      expect(await store.insertWebhookEvent(e, t0)).toBe(true);
      expect(await store.insertWebhookEvent({ ...e, body: "{}" }, t0)).toBe(false);
      expect(await store.insertWebhookEvent(buildWebhookEvent(), new Date(t0.getTime() + 1))).toBe(true);

      const [first, ...rest] = await store.claimDueWebhookEvents("W1", t0, 10, LOCK_MS);
      expect(rest).toEqual([]);
      expect(first).toMatchObject({ ...e, state: "pending", attempts: 1, receivedAt: t0, lockedBy: "W1", lockedUntil: new Date(t0.getTime() + LOCK_MS) });
      const id = first?.id ?? "";
      expect(await store.claimDueWebhookEvents("W2", t0, 10, LOCK_MS)).toEqual([]);
      // Lock expired (processor crashed): claimable again, by another worker, and counted again.
      expect((await store.claimDueWebhookEvents("W2", new Date(t0.getTime() + LOCK_MS + 1), 1, LOCK_MS)).map((r) => [r.id, r.attempts])).toEqual([[id, 2]]);
      // The first worker's late completion is discarded: the event is W2's now.
      expect(await store.completeWebhookEvent("W1", id, { kind: "processed" })).toBe(false);
      expect(await store.findWebhookEvent(id)).toMatchObject({ state: "pending", lockedBy: "W2" });

      const retryAt = new Date(t0.getTime() + 2 * LOCK_MS);
      expect(await store.completeWebhookEvent("W2", id, { kind: "retry", nextAttemptAt: retryAt, error: "univapay 503" })).toBe(true);
      expect(await store.findWebhookEvent(id)).toMatchObject({
        state: "pending",
        attempts: 2,
        lastError: "univapay 503",
        nextAttemptAt: retryAt,
        lockedBy: null,
        lockedUntil: null,
      });
      await store.claimDueWebhookEvents("W2", retryAt, 10, LOCK_MS);
      expect(await store.completeWebhookEvent("W2", id, { kind: "processed" })).toBe(true);
      expect(await store.findWebhookEvent(id)).toMatchObject({ state: "processed", attempts: 3, lastError: null });
    });

    it("de-duplicates per merchant: the same event id from two merchants is two events", async () => {
      const t0 = new Date(clock.now().getTime() + 23_400_000);
      const dedupeKey = `id:shared-${dialect}`;
      expect(await store.insertWebhookEvent(buildWebhookEvent({ sid: "S_B", dedupeKey }), t0)).toBe(true);
      expect(await store.insertWebhookEvent(buildWebhookEvent({ sid: "S_A", dedupeKey }), t0)).toBe(true);
      expect(await store.insertWebhookEvent(buildWebhookEvent({ sid: "S_A", dedupeKey }), t0)).toBe(false);
    });

    it("records ignored notes and dead errors", async () => {
      const t0 = new Date(clock.now().getTime() + 25_200_000);
      await store.insertWebhookEvent(buildWebhookEvent({ dedupeKey: `ign-${dialect}` }), t0);
      await store.insertWebhookEvent(buildWebhookEvent({ dedupeKey: `dead-${dialect}` }), t0);
      const claimed = await store.claimDueWebhookEvents("W", t0, 100_000, LOCK_MS);
      const ign = claimed.find((r) => r.dedupeKey === `ign-${dialect}`);
      const dead = claimed.find((r) => r.dedupeKey === `dead-${dialect}`);
      await store.completeWebhookEvent("W", ign?.id ?? "", { kind: "ignored", note: "unknown event" });
      await store.completeWebhookEvent("W", dead?.id ?? "", { kind: "dead", error: "charge not found" });
      expect(await store.findWebhookEvent(ign?.id ?? "")).toMatchObject({ state: "ignored", lastError: "unknown event" });
      expect(await store.findWebhookEvent(dead?.id ?? "")).toMatchObject({ state: "dead", lastError: "charge not found" });
    });
  });

  it("finds and retires request keys written before keys were HMACs, by age", async () => {
    const oldKey = "a".repeat(64); // an unkeyed SHA-256 hex: no scheme prefix
    const p = await insertPayment(store, buildPayment({ requestKey: `${oldKey}${dialect}` }));
    const o = await store.insertTransition(p.row.pid, buildTransition({ requestKey: `${"b".repeat(60)}${dialect}` }));
    await insertPayment(store, buildPayment({ requestKey: `h2:${"c".repeat(64)}` }));
    expect((await store.findPaymentByRequestKey(p.row.sid, `${oldKey}${dialect}`))?.pid).toBe(p.row.pid);
    expect((await store.findTransitionByRequestKey(o.row.sid, o.row.requestKey as string))?.id).toBe(o.row.id);
    const newest = await store.newestPriorKeyRow();
    expect(newest?.getTime()).toBeGreaterThanOrEqual(p.row.createdAt.getTime());
    expect(await store.retirePriorKeys(new Date(p.row.createdAt.getTime() - 1))).toBe(0); // still in its window
    expect(await store.retirePriorKeys(new Date(clock.now().getTime() + 1))).toBeGreaterThanOrEqual(2);
    expect((await store.findPaymentByPid(p.row.pid))?.requestKey).toBe(`h0:${p.row.pid}`);
    expect((await store.findTransition(o.row.id))?.requestKey).toBe(`h0:${o.row.id}`);
    expect(await store.newestPriorKeyRow()).toBeUndefined();
    // A raw-bytes HMAC key ("h1:") is looked up for a day too, but never retired: it is keyed.
    const h1 = await insertPayment(store, buildPayment({ requestKey: `h1:${"d".repeat(60)}${dialect}` }));
    expect((await store.newestPriorKeyRow())?.getTime()).toBe(h1.row.createdAt.getTime());
    await store.retirePriorKeys(new Date(clock.now().getTime() + 1));
    expect((await store.findPaymentByPid(h1.row.pid))?.requestKey).toBe(`h1:${"d".repeat(60)}${dialect}`);
    await store.retireRequestKey("payments", h1.row.pid, `h1:${"d".repeat(60)}${dialect}`);
    expect(await store.newestPriorKeyRow()).toBeUndefined();
  });

  it("lists reversing and reversed transitions for the operator, and counts the reversing ones", async () => {
    const before = (await store.queueDepths(clock.now())).reversalsPending;
    const p = await insertPayment(store, buildPayment());
    const o = await store.insertTransition(p.row.pid, buildTransition());
    await store.moveTransition(o.row.id, ["requested"], { state: "reversing", errorCode: "ER000P02P02" }, null);
    expect((await store.queueDepths(clock.now())).reversalsPending).toBe(before + 1);
    expect((await store.listReversals(1000)).map((t) => [t.id, t.state])).toContainEqual([o.row.id, "reversing"]);
    await store.moveTransition(o.row.id, ["reversing"], { state: "reversed" }, { state: "reversed" });
    expect((await store.queueDepths(clock.now())).reversalsPending).toBe(before);
    expect((await store.listReversals(1000)).map((t) => [t.id, t.state])).toContainEqual([o.row.id, "reversed"]);
  });

  it("createOrderPayment lets exactly one of many concurrent payments for one order through", async () => {
    const t = clock.now();
    const bounds = { since: new Date(t.getTime() - 60_000), requestedSince: new Date(t.getTime() - 60_000), errorCode: "ER000P72P0D" };
    const made = await Promise.all(
      Array.from({ length: 8 }, () =>
        store.createOrderPayment({ ...buildPayment({ sod: `RACE-${dialect}` }), orderKey: `RACE-${dialect}` }, buildTransition(), bounds),
      ),
    );
    expect(made.filter((m) => !m.refusedFor)).toHaveLength(1);
    const refused = made.filter((m) => m.refusedFor);
    expect(refused).toHaveLength(7);
    for (const r of refused) expect([r.payment.state, r.transition.state, r.transition.errorCode]).toEqual(["failed", "failed", "ER000P72P0D"]);
    // A repeat of a refused request is that refused payment again, not a new one.
    const again = await store.createOrderPayment(
      { ...buildPayment({ sod: `RACE-${dialect}`, requestKey: refused[0]!.payment.requestKey }), orderKey: `RACE-${dialect}` },
      buildTransition(),
      bounds,
    );
    expect([again.created, again.payment.pid]).toEqual([false, refused[0]!.payment.pid]);
  });

  it("retires one row's request key only while it still is that key", async () => {
    const p = await insertPayment(store, buildPayment({ sod: `ORD-${dialect}` }));
    expect(await store.retireRequestKey("payments", p.row.pid, "h2:other")).toBe(false);
    expect(await store.retireRequestKey("payments", p.row.pid, p.row.requestKey)).toBe(true);
    expect((await store.findPaymentByPid(p.row.pid))?.requestKey).toBe(`h0:${p.row.pid}`);
    expect(await store.findPaymentByRequestKey(p.row.sid, p.row.requestKey)).toBeUndefined();
  });

  it("createOrderPayment: a holder past the window gives the order up; a refused request is answered the same again", async () => {
    const order = `HOLD-${dialect}`;
    const t = clock.now().getTime();
    const bounds = (sinceMs: number) => ({ since: new Date(sinceMs), requestedSince: new Date(sinceMs), errorCode: "ER000P72P0D" });
    const first = await store.createOrderPayment({ ...buildPayment({ state: "captured" }), orderKey: order }, buildTransition(), bounds(t - 60_000));
    expect(first.refusedFor).toBeUndefined();
    const second = await store.createOrderPayment({ ...buildPayment(), orderKey: order }, buildTransition(), bounds(t - 60_000));
    expect([second.refusedFor, second.payment.state]).toEqual([first.payment.pid, "failed"]);
    // A window that starts after the first payment: it no longer holds the order.
    const later = await store.createOrderPayment({ ...buildPayment(), orderKey: order }, buildTransition(), bounds(t + 1));
    expect(later.refusedFor).toBeUndefined();
    expect((await store.findPaymentByPid(first.payment.pid))?.orderKey).toBeNull();
    // A failed (or refunded) payment never holds the order.
    const declined = await store.createOrderPayment(
      { ...buildPayment({ state: "failed" }), orderKey: `DECL-${dialect}` },
      buildTransition(),
      bounds(t - 60_000),
    );
    const retry = await store.createOrderPayment({ ...buildPayment(), orderKey: `DECL-${dialect}` }, buildTransition(), bounds(t - 60_000));
    expect([declined.refusedFor, retry.refusedFor]).toEqual([undefined, undefined]);
  });

  it("queueDepths counts pending and dead kickbacks and pending webhooks", async () => {
    await drainKickbacks();
    const before = await store.queueDepths(clock.now());
    const t0 = new Date(clock.now().getTime() + 28_800_000);
    const k = await newKickback(t0);
    await store.insertWebhookEvent(buildWebhookEvent(), t0);
    await store.claimDueKickbacks("Q", t0, 1, LOCK_MS);
    await store.completeKickbackAttempt("Q", attempt(k.id, t0), { kind: "dead" });
    await newKickback(t0);
    const after = await store.queueDepths(t0);
    expect(after).toEqual({
      kickbacksPending: before.kickbacksPending + 1,
      kickbacksDead: before.kickbacksDead + 1,
      webhooksPending: before.webhooksPending + 1,
      reversalsPending: before.reversalsPending,
    });
  });

  it("running migrations again is a no-op that keeps the data", async () => {
    const p = await newPayment();
    const { logger, lines } = capturingLogger();
    const again = await createStore({ databaseUrl: target.databaseUrl, pgSchema: target.pgSchema, logger });
    try {
      expect(lines.find((l) => l.module === "store" && "applied" in l)).toMatchObject({ applied: [], msg: "store schema current" });
      expect(await again.findPaymentByPid(p.pid)).toEqual(p);
    } finally {
      await again.close();
    }
  });
});

describe("Store migrations on PostgreSQL", () => {
  it("are safe when several gateway instances start at once", async () => {
    const target = postgresTarget();
    const { logger, lines } = capturingLogger();
    const stores = await Promise.all([1, 2, 3].map(() => createStore({ databaseUrl: target.databaseUrl, pgSchema: target.pgSchema, logger, pgPoolMax: 2 })));
    try {
      const applied = lines.filter((l) => l.module === "store").map((l) => l.applied);
      expect(applied.sort()).toEqual([[], [], MIGRATIONS.map((m) => m.version)]);
      const r = await insertPayment(stores[0] as Store, buildPayment());
      expect(await stores[2]?.findPaymentByPid(r?.row.pid ?? "")).toEqual(r?.row);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await target.cleanup();
    }
  });

  it("rejects a database URL of an unknown kind", async () => {
    await expect(createStore({ databaseUrl: "mysql://x", logger: silent })).rejects.toMatchObject({ code: "config_invalid" });
  });

  it("names the database and the setting when PostgreSQL cannot be reached, never the password", async () => {
    const err = await createStore({ databaseUrl: "postgres://gw:s3cret@127.0.0.1:1/gw", logger: silent }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: "config_invalid" });
    expect(String((err as Error).message)).toMatch(/^DATABASE_URL: cannot open PostgreSQL at postgres:\/\/gw:\*\*\*@127\.0\.0\.1:1\/gw: .*ECONNREFUSED/);
    expect(String((err as Error).message)).not.toContain("s3cret");
  });
});
