/**
 * `migrate autobillings` on the gateway's own core and the sandbox clock: an existing UnivaPay
 * subscription mapped to its legacy acid (its next cycle is one kickback with that acid, the charge
 * made before the import none), and `--create` from a legacy schedule (nothing charged at creation,
 * the first charge on the old next date, a drift report, too-close rows refused, a rerun that
 * creates nothing twice, a refused create that leaves nothing behind).
 */
import axios from "axios";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MIGRATION_KIND_MODULES } from "../../src/migrate/migration-kinds";
import { driftPathOf, runMigration } from "../../src/migrate/run-migration";
import type { MigrationKind } from "../../src/mapping/migration-schema";
import { DATABASES, startHarness, type Harness } from "../support/gateway-harness";
import { field, replyFields, sendRaw } from "../support/raw-http";

jest.setTimeout(120_000);

const DAY = 86_400_000;
const dir = mkdtempSync(join(tmpdir(), "ab-migrate-"));

function csvRows(path: string): string[][] {
  return readFileSync(path, "utf8")
    .slice(1)
    .split("\r\n")
    .slice(1)
    .filter((l) => l !== "")
    .map(cellsOf);
}

/** One CSV line's cells (RFC 4180 quotes: the result file quotes a message with a comma). */
function cellsOf(line: string): string[] {
  return [...line.matchAll(/(?:^|,)("(?:[^"]|"")*"|[^,]*)/g)].map((m) => {
    const cell = m[1] ?? "";
    return cell.startsWith('"') ? cell.slice(1, -1).replaceAll('""', '"') : cell;
  });
}

/** Retries of a row UnivaPay did not answer: at once, so a test of a lost answer takes no time. */
const QUICK_RETRY = { attempts: 3, baseMs: 1, maxMs: 1 };

async function migrate(h: Harness, kind: MigrationKind, name: string, text: string, dryRun = false, retry = QUICK_RETRY) {
  const file = join(dir, `${name}-${h.sid}-${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(file, text);
  const resultsPath = `${file.replace(/\.csv$/, "")}${dryRun ? ".dry" : ""}.results.csv`;
  const summary = await runMigration(
    { client: h.gateway.deps.client, store: h.gateway.store, table: h.gateway.deps.table, merchant: h.merchant, now: h.gateway.deps.now, minLeadDays: 3 },
    {
      kind: MIGRATION_KIND_MODULES[kind],
      layout: h.gateway.deps.table.migration.layouts[kind]!,
      file,
      encoding: "auto",
      dryRun,
      resultsPath,
      concurrency: 4,
      retry,
    },
  );
  const drift = existsSync(driftPathOf(resultsPath)) ? csvRows(driftPathOf(resultsPath)) : [];
  return { summary, rows: csvRows(resultsPath), drift };
}

async function legacy(h: Harness, query: string) {
  const res = await sendRaw(h.gateway.url, "GET", Buffer.from(`/payment.aspx?sid=${h.sid}&${query}`));
  expect(res.status).toBe(200);
  return replyFields(res.body);
}

const kickbacksOf = (h: Harness, acid: string) => h.receiver.received.map((k) => replyFields(k.rawQuery)).filter((k) => field(k, "acid") === acid);

describe.each(DATABASES)("migrate autobillings (%s)", (db) => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ db, sharedClock: true, sandbox: { testRecurringTokenExpiry: false, rateLimits: false } });
    const ms = Date.parse("2027-03-10T01:00:00Z") - h.sandbox.clock.now();
    await h.sandbox.clock.advance(ms);
  });
  afterEach(async () => {
    await h?.close();
  });

  const demoToken = async () => (await h.gateway.store.getMemberToken(h.sid, "demo-ok"))!.tokenId;

  it("maps a subscription UnivaPay already has: its next cycle is one kickback with the legacy acid, the charge before the import none", async () => {
    const c = h.merchant.credentials;
    const client = h.gateway.deps.client;
    const sub = await client.createSubscription(c, { transaction_token_id: await demoToken(), amount: 1200, currency: "JPY", period: "monthly" }, "it-sub-1");
    await h.sandbox.clock.advance(60_000);
    expect((await client.listSubscriptionCharges(c, sub.id)).map((ch) => ch.status)).toEqual(["successful"]);
    const mapText = `acid,subscription_id,pid,actp,acam,sod\r\nAC-0001,${sub.id},31234567,4,1200,order-77\r\nAC-0003,00000000-0000-4000-8000-000000000000,,,,\r\n`;
    const { summary, rows, drift } = await migrate(h, "autobillings", "map", mapText);
    expect(rows.map((r) => [r[1], r[2], r[4]])).toEqual([
      ["AC-0001", "migrated", ""],
      ["AC-0003", "failed", "not_found"],
    ]);
    // The same subscription under another acid, and the same acid again: reported, never overwritten.
    const dup = await migrate(
      h,
      "autobillings",
      "dup",
      `acid,subscription_id\r\nAC-0002,${sub.id}\r\nAC-0001,${sub.id}\r\nAC-0001,00000000-0000-4000-8000-000000000001\r\n`,
    );
    expect(dup.rows.map((r) => [r[1], r[2], r[4]])).toEqual([
      ["AC-0002", "failed", "in_use"],
      ["AC-0001", "unchanged", ""],
      ["AC-0001", "failed", "conflict"],
    ]);
    // The same subscription with another amount: a conflict, not "unchanged".
    const changed = await migrate(h, "autobillings", "changed", `acid,subscription_id,actp,acam\r\nAC-0001,${sub.id},4,1500\r\n`);
    expect([changed.rows[0]?.[2], changed.rows[0]?.[4]]).toEqual(["failed", "conflict"]);
    expect(changed.rows[0]?.[5]).toContain("acam 1200 (the row: 1500)");
    expect(summary.drift?.codes).toMatchObject({ charge_time: 1, resume: 1, retry_count: 1 });
    expect(drift.every((d) => d[1] === "AC-0001")).toBe(true);

    // ACSTATUS answers for the legacy acid, with the first payment's pid.
    const status = await legacy(h, "job=ACSTATUS&acid=AC-0001");
    expect([field(status, "rst"), field(status, "pid"), field(status, "acst")]).toEqual(["1", "31234567", "active"]);
    // The anchor is not a payment SALES or CANCEL can act on.
    const cancel = await legacy(h, "job=CANCEL&pid=31234567");
    expect(field(cancel, "rst")).toBe("2");

    await h.sandbox.clock.advance(31 * DAY);
    await h.drain();
    const ks = kickbacksOf(h, "AC-0001");
    expect(ks).toHaveLength(1);
    expect([field(ks[0]!, "rst"), field(ks[0]!, "ta"), field(ks[0]!, "sod"), field(ks[0]!, "actp")]).toEqual(["1", "1200", "order-77", "4"]);
    expect(field(ks[0]!, "pid")).not.toBe("31234567");

    // A rerun of the same file does nothing again.
    const again = await migrate(h, "autobillings", "map", mapText);
    expect(again.summary.skipped).toBe(2);
    expect(again.drift.length).toBe(drift.length);
  });

  it("--create: nothing charged now, the first charge on the old next date, drift per row, too-close refused, and a rerun creates nothing twice", async () => {
    const text =
      "acid,upcmemberid,actp,acam,acrm,next_date,sod\r\n" +
      "LG-1,demo-ok,4,980,,2027-04-05,ord-1\r\n" +
      "LG-2,demo-ok,4,500,2,2027/03/12,ord-2\r\n" +
      "LG-3,nobody,4,500,,2027-04-05,\r\n" +
      "LG-4,demo-ok,99,500,,2027-04-05,\r\n" +
      "LG-5,demo-ok,4,700,3,20270430,\r\n";
    const dry = await migrate(h, "autobillings-create", "create", text, true);
    expect(dry.rows.map((r) => [r[1], r[2], r[4]])).toEqual([
      ["LG-1", "checked", ""],
      ["LG-2", "failed", "too_close"],
      ["LG-3", "failed", "not_found"],
      ["LG-4", "failed", "bad_row"],
      ["LG-5", "checked", ""],
    ]);
    expect(await h.gateway.store.findSubscription(h.sid, "LG-1")).toBeUndefined();

    const run = await migrate(h, "autobillings-create", "create", text);
    expect(run.rows.map((r) => [r[1], r[2]])).toEqual([
      ["LG-1", "migrated"],
      ["LG-2", "failed"],
      ["LG-3", "failed"],
      ["LG-4", "failed"],
      ["LG-5", "migrated"],
    ]);
    const codes = run.drift.filter((d) => d[1] === "LG-5").map((d) => d[3]);
    expect(codes).toEqual(expect.arrayContaining(["charge_time", "resume", "retry_count", "registration", "count"]));
    const c = h.merchant.credentials;
    const client = h.gateway.deps.client;
    const row1 = (await h.gateway.store.findSubscription(h.sid, "LG-1"))!;
    const sub1 = await client.getSubscription(c, row1.subscriptionId!);
    expect(sub1.metadata?.["legacy-acid"]).toBe("LG-1");
    expect(row1.origin).toBe("created");
    expect(JSON.parse(row1.drift).length).toBeGreaterThan(2);
    expect(await client.listSubscriptionCharges(c, sub1.id)).toEqual([]);

    // Rerun of a fixed file (a new run): the created rows are unchanged, nothing is created again.
    const rerun = await migrate(h, "autobillings-create", "create2", text.replace("LG-4,demo-ok,99", "LG-4,demo-ok,4"));
    expect(rerun.rows.map((r) => [r[1], r[2]])).toEqual([
      ["LG-1", "unchanged"],
      ["LG-2", "failed"],
      ["LG-3", "failed"],
      ["LG-4", "migrated"],
      ["LG-5", "unchanged"],
    ]);

    // Exactly one subscription per created acid at UnivaPay, whatever the reruns said.
    const created = (await h.listSubscriptions()).map((x) => String(x.metadata["legacy-acid"] ?? "")).filter((a) => a !== "");
    expect(created.sort()).toEqual(["LG-1", "LG-4", "LG-5"]);

    // The old system's next date is UnivaPay's first charge: one kickback for LG-1 on 2027-04-05.
    await h.sandbox.clock.advance(Date.parse("2027-04-05T01:00:00Z") - h.sandbox.clock.now());
    await h.drain();
    const ks = kickbacksOf(h, "LG-1");
    expect(ks.map((k) => [field(k, "rst"), field(k, "ta"), field(k, "sod")])).toEqual([["1", "980", "ord-1"]]);
    expect((await client.listSubscriptionCharges(c, sub1.id)).map((ch) => ch.requested_amount)).toEqual([980]);
  });

  it("--create refused by UnivaPay leaves nothing behind, so the fixed row goes through on the next run", async () => {
    // Cards UnivaPay migrated, never CVV-authorized: UnivaPay refuses a zero-yen first payment on them.
    const [bare, member] = h.sandbox.migrateCards(h.merchant.credentials.storeId, 2);
    const members = await migrate(h, "members", "no-cvv-members", `upcmemberid,transaction_token_id\r\nm-nocvv,${member}\r\n`);
    expect(members.rows[0]?.[2]).toBe("migrated");
    const text = `acid,upcmemberid,transaction_token_id,actp,acam,next_date,pid\r\nLG-9,,${bare},4,500,2027-05-01,39876543\r\nLG-8,m-nocvv,,4,500,2027-05-01,39876544\r\n`;
    // A dry run sees it on the card itself; the real run of the member's row is told by the create.
    const dry = await migrate(h, "autobillings-create", "refused", text, true);
    const r = await migrate(h, "autobillings-create", "refused", text);
    for (const run of [dry, r]) {
      expect(run.rows.map((x) => [x[1], x[2], x[4]])).toEqual([
        ["LG-9", "failed", "wrong_type"],
        ["LG-8", "failed", "wrong_type"],
      ]);
      expect(run.rows.every((x) => x[5]?.includes("CVV_AUTHORIZATION_NOT_COMPLETED"))).toBe(true);
    }
    for (const [acid, pid] of [
      ["LG-9", "39876543"],
      ["LG-8", "39876544"],
    ] as const) {
      expect(await h.gateway.store.findSubscription(h.sid, acid)).toBeUndefined();
      expect(await h.gateway.store.findPaymentByPid(pid)).toBeUndefined();
    }
    expect(await h.listSubscriptions()).toEqual([]);
    // The same acid and pid on the member's (CVV-authorized) card, yearly with a 5-day retry: created.
    const ok = await migrate(
      h,
      "autobillings-create",
      "fixed",
      `acid,upcmemberid,actp,acam,acrd,next_date,pid\r\nLG-9,demo-ok,8,12000,5,2027-05-01,39876543\r\n`,
    );
    expect(ok.rows[0]?.[2]).toBe("migrated");
    expect((await h.gateway.store.findSubscription(h.sid, "LG-9"))?.firstPid).toBe("39876543");
    // The same acid again with another amount: a conflict, never "unchanged", and nothing changed.
    const changed = await migrate(
      h,
      "autobillings-create",
      "changed",
      `acid,upcmemberid,actp,acam,acrd,next_date,pid\r\nLG-9,demo-ok,8,15000,5,2027-05-01,39876543\r\n`,
    );
    expect([changed.rows[0]?.[2], changed.rows[0]?.[4]]).toEqual(["failed", "conflict"]);
    expect(changed.rows[0]?.[5]).toContain("acam 12000 (the row: 15000)");
    expect((await h.gateway.store.findSubscription(h.sid, "LG-9"))?.cycleAmount).toBe(12000);
    expect((await h.listSubscriptions()).length).toBe(1);
  });

  it("--create on a member whose card was deleted since migrate members: the create is the check; nothing is kept", async () => {
    const [kept, gone] = h.sandbox.migrateCards(h.merchant.credentials.storeId, 2, undefined, { cvvAuthorized: true });
    const members = await migrate(h, "members", "members", `upcmemberid,transaction_token_id\r\nm-kept,${kept}\r\nm-gone,${gone}\r\n`);
    expect(members.rows.map((r) => r[2])).toEqual(["migrated", "migrated"]);
    const c = h.merchant.credentials;
    await axios.delete(`${h.sandboxUrl}/stores/${c.storeId}/tokens/${gone}`, {
      headers: { Authorization: `Bearer ${c.secret.reveal()}.${c.appToken.reveal()}` },
    });
    const text = "acid,upcmemberid,actp,acam,next_date,pid\r\nLG-K,m-kept,4,600,2027-04-20,\r\nLG-G,m-gone,4,600,2027-04-20,38880001\r\n";
    // A dry run creates nothing, so it checks the card itself.
    const dry = await migrate(h, "autobillings-create", "gone", text, true);
    expect(dry.rows.map((r) => [r[1], r[2], r[4]])).toEqual([
      ["LG-K", "checked", ""],
      ["LG-G", "failed", "not_found"],
    ]);
    // A real run leaves it to the create: refused the same way, and nothing of LG-G is kept.
    const run = await migrate(h, "autobillings-create", "gone", text);
    expect(run.rows.map((r) => [r[1], r[2], r[4]])).toEqual([
      ["LG-K", "migrated", ""],
      ["LG-G", "failed", "not_found"],
    ]);
    expect(await h.gateway.store.findSubscription(h.sid, "LG-G")).toBeUndefined();
    expect(await h.gateway.store.findPaymentByPid("38880001")).toBeUndefined();
    expect((await h.listSubscriptions()).filter((x) => x.metadata["legacy-acid"] === "LG-G")).toEqual([]);
  });

  it("the management jobs act on a created auto-billing as on one made through the gateway: ACSUSPEND, ACRESUME, ACCHANGE, ACCANCEL", async () => {
    const r = await migrate(
      h,
      "autobillings-create",
      "jobs",
      "acid,upcmemberid,actp,acam,next_date,pid,sod\r\nLG-J,demo-ok,4,800,2027-04-05,35550001,ord-j\r\n",
    );
    expect(r.rows[0]?.[2]).toBe("migrated");
    // UnivaPay checks the card (its CVV authorization) for the zero-yen registration, with no
    // webhook about the subscription: the gateway's row still says unverified when the job comes.
    await h.sandbox.clock.advance(60_000);
    const rowJ = (await h.gateway.store.findSubscription(h.sid, "LG-J"))!;
    expect(rowJ.status).toBe("unverified");
    expect((await h.gateway.deps.client.getSubscription(h.merchant.credentials, rowJ.subscriptionId!)).status).toBe("current");
    // UnivaPay unreachable for that question: a temporary failure, nothing changed.
    h.sandbox.faults.set({ routes: [{ method: "GET", pathPattern: "/stores/*/subscriptions/*", errorRate: 1, errorStatus: 503 }] });
    const down = await legacy(h, "job=ACSUSPEND&acid=LG-J&memo=down");
    h.sandbox.faults.clear();
    expect([field(down, "rst"), field(down, "ec")]).toEqual(["2", "ER000P02P02"]);
    const pause = await legacy(h, "job=ACSUSPEND&acid=LG-J");
    expect([field(pause, "rst"), field(pause, "job"), field(pause, "acid"), field(pause, "pid")]).toEqual(["1", "ACSUSPEND", "LG-J", "35550001"]);
    expect(field(await legacy(h, "job=ACSTATUS&acid=LG-J"), "acst")).toBe("suspended");
    const resume = await legacy(h, "job=ACRESUME&acid=LG-J");
    expect(field(resume, "rst")).toBe("1");
    // Resumed and never failed: active, not "retrying" (UnivaPay's unpaid is both).
    expect(field(await legacy(h, "job=ACSTATUS&acid=LG-J"), "acst")).toBe("active");
    const change = await legacy(h, "job=ACCHANGE&acid=LG-J&acam1=900");
    expect([field(change, "rst"), field(change, "job")]).toEqual(["1", "ACCHANGE"]);

    await h.sandbox.clock.advance(Date.parse("2027-04-05T01:00:00Z") - h.sandbox.clock.now());
    await h.drain();
    expect(kickbacksOf(h, "LG-J").map((k) => [field(k, "rst"), field(k, "ta"), field(k, "sod")])).toEqual([["1", "900", "ord-j"]]);

    const stop = await legacy(h, "job=ACCANCEL&acid=LG-J");
    expect([field(stop, "rst"), field(stop, "job"), field(stop, "pid")]).toEqual(["1", "ACCANCEL", "35550001"]);
    await h.sandbox.clock.advance(62 * DAY);
    await h.drain();
    expect(kickbacksOf(h, "LG-J")).toHaveLength(1);
    expect(field(await legacy(h, "job=ACRESUME&acid=LG-J"), "rst")).toBe("2");
  });

  it("a create whose answer is lost: resent under its key (in the run, or as first sent on a rerun), never made twice; a refused resend is kept for a person", async () => {
    const subsOf = async (acid: string) => (await h.listSubscriptions()).filter((x) => x.metadata["legacy-acid"] === acid);
    const post = { method: "POST", pathPattern: "/subscriptions" };
    // 1. The first answer is lost after UnivaPay made it: the run's own retry gets it back.
    h.sandbox.faults.set({ routes: [{ ...post, dropRate: 1, when: "after", times: 1 }] });
    // The same acid on a second line of the file: never sent for it as well.
    const line = "LG-L1,demo-ok,4,1200,2027-04-20\r\n";
    const once = await migrate(h, "autobillings-create", "lost-once", `acid,upcmemberid,actp,acam,next_date\r\n${line}${line}`);
    h.sandbox.faults.clear();
    expect(once.rows.map((r) => r[2]).sort()).toEqual(expect.arrayContaining(["migrated"]));
    const other = once.rows.find((r) => r[2] !== "migrated");
    expect([
      ["failed", "conflict"],
      ["unchanged", ""],
    ]).toContainEqual([other?.[2], other?.[4]]);
    expect(await subsOf("LG-L1")).toHaveLength(1);

    // 2. No answer at all (UnivaPay may or may not have it): the row is an error and its record
    //    stays; the rerun of a changed row sends the create exactly as first sent (UnivaPay never
    //    had it here, so what it makes is the stored body), records it, and says the row differs.
    h.sandbox.faults.set({ routes: [{ ...post, errorRate: 1, errorStatus: 503, when: "before" }] });
    const lost = await migrate(h, "autobillings-create", "lost", "acid,upcmemberid,actp,acam,next_date\r\nLG-L2,demo-ok,4,1200,2027-04-20\r\n");
    h.sandbox.faults.clear();
    expect([lost.rows[0]?.[2], lost.rows[0]?.[4]]).toEqual(["error", "unavailable"]);
    expect((await h.gateway.store.findSubscription(h.sid, "LG-L2"))?.status).toBe("requested");
    const rerun = await migrate(h, "autobillings-create", "lost-changed", "acid,upcmemberid,actp,acam,next_date\r\nLG-L2,demo-ok,4,1500,2027-04-25\r\n");
    expect([rerun.rows[0]?.[2], rerun.rows[0]?.[4]]).toEqual(["failed", "conflict"]);
    expect(rerun.rows[0]?.[5]).toContain("created as first sent");
    expect(rerun.rows[0]?.[5]).toContain("amount and schedule_settings.start_on");
    const l2 = await subsOf("LG-L2");
    expect(l2).toHaveLength(1);
    expect(rerun.rows[0]?.[3]).toBe(l2[0]!.id);
    expect((await h.gateway.store.findSubscription(h.sid, "LG-L2"))?.subscriptionId).toBe(l2[0]!.id);
    const sub2 = await h.gateway.deps.client.getSubscription(h.merchant.credentials, l2[0]!.id);
    expect([sub2.amount, (sub2.schedule_settings as { start_on?: string } | undefined)?.start_on]).toEqual([1200, "2027-04-20"]);

    // 3. A first send that never reached UnivaPay, and a card deleted before the resend: UnivaPay
    //    refuses the resend, and the record is kept (unresolved) rather than risk a second one.
    const [card] = h.sandbox.migrateCards(h.merchant.credentials.storeId, 1, undefined, { cvvAuthorized: true });
    await migrate(h, "members", "l3-member", `upcmemberid,transaction_token_id\r\nm-l3,${card}\r\n`);
    h.sandbox.faults.set({ routes: [{ ...post, errorRate: 1, errorStatus: 503, when: "before" }] });
    const down = await migrate(h, "autobillings-create", "down", "acid,upcmemberid,actp,acam,next_date\r\nLG-L3,m-l3,4,800,2027-04-20\r\n");
    h.sandbox.faults.clear();
    expect(down.rows[0]?.[2]).toBe("error");
    const c = h.merchant.credentials;
    await axios.delete(`${h.sandboxUrl}/stores/${c.storeId}/tokens/${card}`, {
      headers: { Authorization: `Bearer ${c.secret.reveal()}.${c.appToken.reveal()}` },
    });
    const refused = await migrate(h, "autobillings-create", "down-again", "acid,upcmemberid,actp,acam,next_date\r\nLG-L3,m-l3,4,800,2027-04-20\r\n");
    expect([refused.rows[0]?.[2], refused.rows[0]?.[4]]).toEqual(["error", "unresolved"]);
    expect(refused.rows[0]?.[5]).toContain("resolve-autobilling");
    expect((await h.gateway.store.findSubscription(h.sid, "LG-L3"))?.status).toBe("requested");
    expect(await subsOf("LG-L3")).toEqual([]);
  });
});
