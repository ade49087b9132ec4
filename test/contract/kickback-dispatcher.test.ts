/**
 * The kickback dispatcher end to end against a real SQLite store and a real local receiver on
 * 127.0.0.1:0. Time is an injected clock advanced past each nextAttemptAt; nothing sleeps.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createLogger, type Logger } from "../../src/logging/logger";
import { createKickbackDispatcher, type KickbackDispatcherOptions } from "../../src/notify/dispatcher";
import type { ResolveAll } from "../../src/notify/url-guard";
import type { RetryPolicy } from "../../src/notify/retry-policy";
import { createStore } from "../../src/store/create-store";
import type { KickbackRow, Store } from "../../src/store/store-types";
import { startKickbackReceiver, type KickbackReceiver } from "../support/kickback-receiver";
import { buildKickback, buildPayment, insertPayment, createManualClock, sqliteTarget, type DbTarget } from "./store-builders";

const POLICY: RetryPolicy = { baseMs: 10_000, factor: 2, maxDelayMs: 3_600_000, maxAttempts: 3, jitter: 0.2 };
const LOCK_MS = 60_000;
type LogLine = { level: string; msg: string } & Record<string, unknown>;

function capture(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  return { logger: createLogger({ level: "info", destination: { write: (s: string) => void lines.push(JSON.parse(s) as LogLine) } }), lines };
}

describe("kickback dispatcher", () => {
  let target: DbTarget;
  let store: Store;
  let receiver: KickbackReceiver | undefined;
  const clock = createManualClock();

  beforeEach(async () => {
    target = sqliteTarget();
    store = await createStore({ databaseUrl: target.databaseUrl, logger: createLogger({ level: "silent" }), now: clock.now });
  });
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
    await store.close();
    await target.cleanup();
  });

  function dispatcher(logger: Logger, over: Partial<KickbackDispatcherOptions> = {}) {
    return createKickbackDispatcher({
      store,
      logger,
      workerId: "W1",
      policy: POLICY,
      timeoutMs: 5000,
      lockMs: LOCK_MS,
      now: clock.now,
      random: () => 0.5,
      allowPrivateNetworks: true,
      ...over,
    });
  }

  async function enqueue(url: string, query?: string): Promise<KickbackRow> {
    const { row } = await insertPayment(store, buildPayment());
    await store.enqueueKickback(buildKickback(row.pid, { url, ...(query === undefined ? {} : { query }) }), clock.now());
    const [k] = await store.listKickbacks(row.pid);
    if (!k) throw new Error("not enqueued");
    return k;
  }

  async function advanceTo(id: string): Promise<void> {
    const k = await store.findKickback(id);
    if (k) clock.set(k.nextAttemptAt);
  }

  it("retries 500, 500 then delivers on 200, byte-exact, with one attempt row each", async () => {
    receiver = await startKickbackReceiver([500, 500, 200]);
    const { logger, lines } = capture();
    const observed: string[] = [];
    const d = dispatcher(logger, { observe: (e) => observed.push(`${e.outcome}:${e.statusCode}`) });
    const query = "pid=12345678&rst=1&sod=%83e%83X%83g&ap=OK&x='~*";
    const k = await enqueue(receiver.url, query);

    expect(await d.tick()).toBe(1);
    expect(await d.tick()).toBe(0); // not due again until nextAttemptAt
    const afterFirst = await store.findKickback(k.id);
    expect(afterFirst).toMatchObject({ state: "pending", attempts: 1, lastStatus: 500, lockedBy: null });
    expect(afterFirst?.nextAttemptAt.getTime()).toBe(clock.now().getTime() + 10_000);
    await advanceTo(k.id);
    expect(await d.tick()).toBe(1);
    expect((await store.findKickback(k.id))?.nextAttemptAt.getTime()).toBe(clock.now().getTime() + 20_000);
    await advanceTo(k.id);
    expect(await d.tick()).toBe(1);

    expect(await store.findKickback(k.id)).toMatchObject({ state: "delivered", attempts: 3, lastStatus: 200 });
    const attempts = await store.listAttempts(k.id);
    expect(attempts.map((a) => [a.attemptNo, a.statusCode, a.trigger])).toEqual([
      [1, 500, "auto"],
      [2, 500, "auto"],
      [3, 200, "auto"],
    ]);
    expect(attempts[2]?.bodyHead).toBe("OK!!");
    expect(attempts[0]?.url).toBe(`${receiver.url}?${query}`);
    expect(receiver.received.map((r) => r.rawQuery)).toEqual([1, 2, 3].map(() => Buffer.from(query, "latin1")));
    expect(observed).toEqual(["retry:500", "retry:500", "delivered:200"]);
    const warns = lines.filter((l) => l.level === "warn");
    expect(warns).toHaveLength(2);
    expect(warns[0]).toMatchObject({ kickbackId: k.id, pid: k.pid, attempt: 1, statusCode: 500, workerId: "W1" });
    expect(warns[0]?.nextAttemptAt).toBeDefined();
    expect(lines.filter((l) => l.level === "info" && l.msg === "kickback delivered")).toHaveLength(1);
    expect(lines.filter((l) => l.level === "error")).toHaveLength(0);
  });

  it("goes dead with exactly one ERROR when the schedule is exhausted; a manual requeue tries once", async () => {
    receiver = await startKickbackReceiver([503, 503, 503, 503, 200]);
    const { logger, lines } = capture();
    const d = dispatcher(logger);
    const k = await enqueue(receiver.url);
    for (let i = 0; i < 3; i++) {
      expect(await d.tick()).toBe(1);
      await advanceTo(k.id);
    }
    expect(await store.findKickback(k.id)).toMatchObject({ state: "dead", attempts: 3, lastStatus: 503 });
    clock.advance(86_400_000);
    expect(await d.tick()).toBe(0);
    const errors = lines.filter((l) => l.level === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ msg: "kickback retries exhausted", kickbackId: k.id, pid: k.pid, attempt: 3, statusCode: 503 });
    expect(lines.filter((l) => l.level === "warn")).toHaveLength(2);

    // Operator resend: one manual attempt, which fails and does not reschedule itself.
    expect(await store.requeueKickback(k.id, clock.now())).toBe(true);
    expect(await d.tick()).toBe(1);
    expect(await store.findKickback(k.id)).toMatchObject({ state: "dead", attempts: 4 });
    expect(await store.requeueKickback(k.id, clock.now())).toBe(true);
    expect(await d.tick()).toBe(1);
    expect(await store.findKickback(k.id)).toMatchObject({ state: "delivered", attempts: 5, nextTrigger: "auto" });
    expect((await store.listAttempts(k.id)).map((a) => a.trigger)).toEqual(["auto", "auto", "auto", "manual", "manual"]);
  });

  it("a kickback whose delivery kills its worker every time runs out of attempts and goes dead unsent", async () => {
    receiver = await startKickbackReceiver([200]);
    const { logger, lines } = capture();
    const k = await enqueue(receiver.url);
    for (let i = 0; i < POLICY.maxAttempts; i++) {
      expect((await store.claimDueKickbacks(`crashed-${i}`, clock.now(), 10, LOCK_MS)).map((r) => r.id)).toEqual([k.id]); // and dies
      clock.advance(LOCK_MS + 1);
    }
    expect(await dispatcher(logger).tick()).toBe(1);
    expect(await store.findKickback(k.id)).toMatchObject({ state: "dead", attempts: POLICY.maxAttempts + 1 });
    expect(receiver.received).toHaveLength(0);
    expect(lines.find((l) => l.msg === "kickback given up: its deliveries never completed")).toBeDefined();
    // An operator can still resend it by hand.
    expect(await store.requeueKickback(k.id, clock.now())).toBe(true);
    expect(await dispatcher(logger).tick()).toBe(1);
    expect(await store.findKickback(k.id)).toMatchObject({ state: "delivered" });
  });

  it("crash safety: a claim by a dead worker expires and another worker delivers; the stale completion is ignored", async () => {
    receiver = await startKickbackReceiver([200]);
    const { logger } = capture();
    const k = await enqueue(receiver.url);
    const [claimedByA] = await store.claimDueKickbacks("A", clock.now(), 10, LOCK_MS); // A then "dies"
    expect(claimedByA?.id).toBe(k.id);
    const b = dispatcher(logger, { workerId: "B" });
    expect(await b.tick()).toBe(0); // A's claim still holds
    clock.advance(LOCK_MS + 1);
    expect(await b.tick()).toBe(1);
    expect(await store.findKickback(k.id)).toMatchObject({ state: "delivered", attempts: 2 }); // A's claim counted too
    const stale = await store.completeKickbackAttempt(
      "A",
      { kickbackId: k.id, attemptNo: 1, url: receiver.url, statusCode: null, durationMs: 1, bodyHead: "", error: "timeout", trigger: "auto", at: clock.now() },
      { kind: "dead" },
    );
    expect(stale).toBe(false);
    expect(await store.findKickback(k.id)).toMatchObject({ state: "delivered", attempts: 2 });
    expect(await store.listAttempts(k.id)).toHaveLength(1);
    expect(receiver.received).toHaveLength(1);
  });

  it("delivers 1000 kickbacks exactly once with bounded concurrency", async () => {
    receiver = await startKickbackReceiver([200]);
    const url = receiver.url;
    const { logger } = capture();
    const d = dispatcher(logger, { batchSize: 200, concurrency: 32 });
    const ids = await store.transaction(async (tx) => {
      for (let i = 0; i < 1000; i++) {
        const { row } = await insertPayment(tx, buildPayment({ requestKey: `bulk-${i}` }));
        await tx.enqueueKickback(buildKickback(row.pid, { url, query: `pid=${row.pid}&n=${i}` }), clock.now());
      }
      return true;
    });
    expect(ids).toBe(true);
    const started = performance.now();
    let ticks = 0;
    let made = 0;
    for (let n = await d.tick(); n > 0; n = await d.tick()) {
      ticks++;
      made += n;
    }
    const ms = performance.now() - started;
    expect(made).toBe(1000);
    // Claims never exceed the free send slots: 1000 / 32 rounds.
    expect(ticks).toBe(Math.ceil(1000 / 32));
    const queries = receiver.received.map((r) => r.rawQuery.toString("latin1"));
    expect(queries).toHaveLength(1000);
    expect(new Set(queries).size).toBe(1000);
    expect(await store.queueDepths(clock.now())).toMatchObject({ kickbacksPending: 0, kickbacksDead: 0 });
    await d.stop();
    // Informational: throughput of this run (not asserted: CI machines vary).
    process.stdout.write(`1000 kickbacks delivered in ${Math.round(ms)} ms\n`);
  });

  it("counts a failure kickback refused with a 4xx as read (the EC-CUBE plugin 404s rst≠1), but retries a success kickback", async () => {
    receiver = await startKickbackReceiver([404, 404, 200]);
    const { logger } = capture();
    const d = dispatcher(logger);
    const failure = await enqueue(receiver.url, "pid=1&rst=2&ec=ER000T52G92");
    expect(await d.tick()).toBe(1);
    expect(await store.findKickback(failure.id)).toMatchObject({ state: "delivered", attempts: 1 });
    const success = await enqueue(receiver.url, "pid=2&rst=1&ec=ER000000000");
    expect(await d.tick()).toBe(1);
    expect(await store.findKickback(success.id)).toMatchObject({ state: "pending", attempts: 1 });
    // A 429 or 408 to a failure kickback is "not now", not "not for me".
    const { decideOutcome } = await import("../../src/notify/dispatcher");
    expect(decideOutcome({ statusCode: 429 }, 1, "auto", POLICY, clock.now(), () => 0.5, true).kind).toBe("retry");
    await d.stop();
  });

  it("sends other merchants' kickbacks while one merchant is slow, and never sends one kickback twice at once", async () => {
    let slowHits = 0;
    const slow = http.createServer((_req, res) => {
      slowHits++;
      setTimeout(() => res.end("OK!!"), 1_500);
    });
    await new Promise<void>((r) => slow.listen(0, "127.0.0.1", () => r()));
    const slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/kb`;
    const fastReceiver = await startKickbackReceiver([200]);
    receiver = fastReceiver;
    const { logger } = capture();
    const a = dispatcher(logger, { concurrency: 4, wakeDelayMs: 1 });
    const b = dispatcher(logger, { workerId: "W2", concurrency: 4, wakeDelayMs: 1 });
    try {
      const stuck = await enqueue(slowUrl, "pid=9&rst=1");
      a.start(20);
      b.start(20);
      await new Promise((r) => setTimeout(r, 100)); // the slow one is in flight
      const fast = await Promise.all([1, 2, 3, 4, 5].map((i) => enqueue(fastReceiver.url, `pid=${i}&rst=1&n=fast`)));
      a.wake();
      b.wake();
      for (let i = 0; i < 100 && fastReceiver.received.length < 5; i++) await new Promise((r) => setTimeout(r, 20));
      expect(fastReceiver.received).toHaveLength(5);
      expect((await store.findKickback(stuck.id))?.state).toBe("pending"); // still being sent
      for (const k of fast) expect((await store.findKickback(k.id))?.state).toBe("delivered");
      for (let i = 0; i < 150 && (await store.findKickback(stuck.id))?.state !== "delivered"; i++) await new Promise((r) => setTimeout(r, 20));
      expect((await store.findKickback(stuck.id))?.state).toBe("delivered");
      expect(slowHits).toBe(1);
    } finally {
      await a.stop();
      await b.stop();
      await new Promise<void>((r) => slow.close(() => r()));
    }
  });

  it("refuses private targets when private networks are not allowed: dead at once, nothing sent", async () => {
    receiver = await startKickbackReceiver([200]);
    const { logger, lines } = capture();
    const d = dispatcher(logger, { allowPrivateNetworks: false });
    const k = await enqueue(receiver.url);
    expect(await d.tick()).toBe(1);
    expect(await store.findKickback(k.id)).toMatchObject({ state: "dead", attempts: 1, lastError: expect.stringContaining("url rejected") });
    expect(receiver.received).toHaveLength(0);
    expect(lines.filter((l) => l.level === "error")).toHaveLength(1);
  });

  it("start() delivers what is due, wake() delivers a new enqueue before the next poll, stop() waits", async () => {
    receiver = await startKickbackReceiver([200]);
    const arrived: Array<() => void> = [];
    const nextArrival = () => new Promise<void>((r) => arrived.push(r));
    const rec = receiver;
    const original = rec.received.push.bind(rec.received);
    rec.received.push = (...items) => {
      const n = original(...items);
      arrived.splice(0).forEach((f) => f());
      return n;
    };
    const { logger } = capture();
    const d = dispatcher(logger);
    const first = await enqueue(rec.url);
    const gotFirst = nextArrival();
    d.start(3_600_000); // poll hourly: only start() and wake() can explain deliveries below
    await gotFirst;
    const second = await enqueue(rec.url);
    const gotSecond = nextArrival();
    d.wake();
    await gotSecond;
    await d.stop();
    expect((await store.findKickback(first.id))?.state).toBe("delivered");
    expect((await store.findKickback(second.id))?.state).toBe("delivered");
  });
});

describe("kickback dispatcher and the SSRF guard at delivery time", () => {
  it("gives up at once, with one ERROR, when the host name resolves into a blocked range", async () => {
    const clock = createManualClock();
    const target = sqliteTarget();
    const store = await createStore({ databaseUrl: target.databaseUrl, logger: createLogger({ level: "silent" }), now: clock.now });
    const receiver = await startKickbackReceiver([200]);
    try {
      const { logger, lines } = capture();
      // A public-looking name that DNS answers with the receiver's loopback address (rebinding).
      const resolveAll: ResolveAll = (_host, _family, cb) => cb(null, [{ address: "127.0.0.1", family: 4 }]);
      const d = createKickbackDispatcher({
        store,
        logger,
        workerId: "W1",
        policy: POLICY,
        timeoutMs: 5000,
        lockMs: LOCK_MS,
        now: clock.now,
        random: () => 0.5,
        resolveAll,
      });
      const port = new URL(receiver.url).port;
      const { row } = await insertPayment(store, buildPayment());
      await store.enqueueKickback(buildKickback(row.pid, { url: `http://shop.example.jp:${port}/kb` }), clock.now());
      const [k] = await store.listKickbacks(row.pid);
      expect(await d.tick()).toBe(1);
      expect(await store.findKickback(k!.id)).toMatchObject({ state: "dead", attempts: 1, lastError: expect.stringContaining("blocked address") });
      expect(receiver.received).toHaveLength(0);
      const errors = lines.filter((l) => l.level === "error");
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ msg: "kickback URL refused by the SSRF guard, given up", sid: row.sid });
      await d.stop();
    } finally {
      await receiver.close();
      await store.close();
      await target.cleanup();
    }
  });
});
