/**
 * 自動課金 end to end on the sandbox clock: a memberpay request with actp1 sent unchanged makes a
 * UnivaPay subscription, each automatic charge is one kickback (fresh pid, acid, actp, acdc, the
 * first request's sod and custom fields) through the webhook or, without one, the reconciler at
 * the due date; management by acid; installments. The gateway reads the sandbox's clock, so
 * advancing it moves both.
 */
import { creationTransitionId } from "../../src/store/store-types";
import { startHarness, type Harness } from "../support/gateway-harness";
import { field, replyFields, sendRaw } from "../support/raw-http";

jest.setTimeout(120_000);

const DAY = 86_400_000;
type Fields = Map<string, Buffer>;
const obj = (m: Fields): Record<string, string> => Object.fromEntries([...m].map(([k, v]) => [k, v.toString("utf8")]));

/** Moves both clocks to `iso` (an instant in the future). */
async function moveTo(h: Harness, iso: string): Promise<void> {
  const ms = Date.parse(iso) - h.sandbox.clock.now();
  if (ms < 0) throw new Error(`${iso} is in the past of the sandbox clock`);
  await h.sandbox.clock.advance(ms);
}

/** Advances both clocks, then lets the gateway process the webhooks and send the kickbacks. */
async function advance(h: Harness, ms: number): Promise<void> {
  await h.sandbox.clock.advance(ms);
  await h.drain();
}

async function legacy(h: Harness, path: string, query: string): Promise<Fields> {
  const res = await sendRaw(h.gateway.url, "GET", Buffer.from(`/${path}?sid=${h.sid}&${query}`));
  expect(res.status).toBe(200);
  return replyFields(res.body);
}

function kickbacksOf(h: Harness, acid: string): Fields[] {
  return h.receiver.received.map((k) => replyFields(k.rawQuery)).filter((k) => field(k, "acid") === acid);
}

async function subscribe(h: Harness, query: string): Promise<{ pid: string; acid: string; reply: Fields }> {
  const reply = await legacy(h, "memberpay.aspx", `svid=1&ptype=1&job=CAPTURE&upcmemberid=demo-ok&${query}`);
  expect(field(reply, "rst")).toBe("1");
  const acid = field(reply, "acid") ?? "";
  expect(acid).toMatch(/^[1-9]\d{9}$/);
  await h.drain();
  return { pid: field(reply, "pid") ?? "", acid, reply };
}

async function autoBilling(h: Harness, acid: string) {
  const row = await h.gateway.store.findSubscription(h.sid, acid);
  if (!row?.subscriptionId) throw new Error(`no subscription for ${acid}`);
  return row;
}

describe("自動課金 (recurring billing) through the gateway", () => {
  let h: Harness;
  beforeEach(async () => {
    // Test-mode recurring tokens vanish after a month at UnivaPay (univapay-api §6): kept here so
    // months of cycles can run on the demo member's card.
    h = await startHarness({ db: "sqlite", sharedClock: true, sandbox: { testRecurringTokenExpiry: false, rateLimits: false } });
    await moveTo(h, "2027-03-10T01:00:00Z"); // 10:00 in Tokyo
  });
  afterEach(async () => {
    await h?.close();
  });

  it("a monthly auto-billing sent unchanged: the first payment, then one kickback per automatic charge over three months", async () => {
    const { pid, acid, reply } = await subscribe(h, "siam1=1500&sisf1=500&sod=R1&no=77&actp1=4&acam1=980");
    expect(field(reply, "ta")).toBe("2000");
    expect(field(reply, "actp")).toBe("4");
    expect(field(reply, "acdc")).toBe("");
    const row = await autoBilling(h, acid);
    const sub = await h.gateway.deps.client.getSubscription(h.merchant.credentials, row.subscriptionId as string);
    expect(sub).toMatchObject({ status: "current", amount: 980, initial_amount: 2000, period: "monthly", next_payment: { due_date: "2027-04-10" } });
    expect(JSON.parse(row.drift).map((d: { code: string }) => d.code)).toEqual(expect.arrayContaining(["charge_time", "resume", "retry_count"]));

    const pids = new Set([pid]);
    for (const [i, due] of ["2027-04-10", "2027-05-10", "2027-06-10"].entries()) {
      await moveTo(h, `${due}T01:00:00Z`);
      await h.drain();
      const cycles = kickbacksOf(h, acid).filter((k) => field(k, "pid") !== pid);
      expect(cycles).toHaveLength(i + 1);
      const k = cycles[i] as Fields;
      expect(obj(k)).toMatchObject({ rst: "1", ec: "ER000000000", ta: "980", sod: "R1", job: "CAPTURE", acid, actp: "4", acdc: "", no: "77", ap: "TestMode" });
      pids.add(field(k, "pid") ?? "");
    }
    expect([...pids].every((p) => /^\d{8}$/.test(p))).toBe(true);
    expect(pids.size).toBe(4);
    // A second look (a redelivered event, the reconciler) changes nothing.
    await h.gateway.reconciler.tick();
    await h.drain();
    expect(kickbacksOf(h, acid)).toHaveLength(4);
    // SALES/CANCEL by a cycle's pid act on that charge: CANCEL refunds it.
    const cyclePid = [...pids][3] as string;
    const cancel = await legacy(h, "payment.aspx", `svid=1&ptype=1&job=CANCEL&pid=${cyclePid}`);
    expect(field(cancel, "rst")).toBe("1");
    expect(field(cancel, "acid")).toBe(acid);
    expect((await h.gateway.store.findPaymentByPid(cyclePid))?.state).toBe("refunded");
  });

  it("without webhooks, the reconciler finds the due cycle at its date and sends its kickback once", async () => {
    const { acid } = await subscribe(h, "siam1=1000&sod=R2&actp1=2&acam1=500");
    await h.sandbox.faults.set({ webhooks: { withhold: true } });
    await moveTo(h, "2027-03-17T02:00:00Z"); // weekly: 03-17 07:00 JST ran
    await h.drain();
    expect(kickbacksOf(h, acid)).toHaveLength(1); // only the first payment's
    await h.gateway.reconciler.tick();
    await h.drain();
    const ks = kickbacksOf(h, acid);
    expect(ks).toHaveLength(2);
    expect(obj(ks[1] as Fields)).toMatchObject({ rst: "1", ta: "500", actp: "2", sod: "R2" });
    await h.gateway.reconciler.tick();
    await h.drain();
    expect(kickbacksOf(h, acid)).toHaveLength(2);
  });

  it("a card change between two cycles: a card checked by CHECK becomes the auto-billing's card (and its amount changes) from the next cycle", async () => {
    const { acid } = await subscribe(h, "siam1=1000&sod=CC1&actp1=4&acam1=700");
    const row = await autoBilling(h, acid);
    const chargesOf = () => h.gateway.deps.client.listSubscriptionCharges(h.merchant.credentials, row.subscriptionId as string);
    await moveTo(h, "2027-04-10T01:00:00Z");
    await h.drain();
    const oldToken = row.tokenId;
    expect((await chargesOf()).map((c) => c.transaction_token_id)).toEqual([oldToken, oldToken]);
    // Between the cycles the customer gives a new card: checked, then set by acid.
    const check = await legacy(
      h,
      "payment.aspx",
      "svid=1&ptype=1&job=CHECK&em=buyer@example.jp&cardno=4000020000000000&expire=1230&securitycode=123&holderfirstname=TARO&holderlastname=YAMADA",
    );
    expect(field(check, "rst")).toBe("1");
    const member = field(check, "upcmemberid") as string;
    expect(member).not.toBe(oldToken);
    const change = await legacy(h, "payment.aspx", `job=ACCHANGE&acid=${acid}&upcmemberid=${member}&acam1=900`);
    expect([field(change, "rst"), field(change, "acid"), field(change, "job")]).toEqual(["1", acid, "ACCHANGE"]);
    expect((await autoBilling(h, acid)).tokenId).toBe(member);
    await moveTo(h, "2027-05-10T01:00:00Z");
    await h.drain();
    const charges = await chargesOf();
    expect(charges.map((c) => [c.transaction_token_id, c.requested_amount])).toEqual([
      [member, 900],
      [oldToken, 700],
      [oldToken, 1000],
    ]);
    const cycles = kickbacksOf(h, acid).slice(1);
    expect(cycles.map((k) => [field(k, "rst"), field(k, "ta")])).toEqual([
      ["1", "700"],
      ["1", "900"],
    ]);
  });

  it("a card that starts failing: each failed attempt is one rst=2 kickback, retries, then suspension; ACSTATUS reports it", async () => {
    const { acid } = await subscribe(h, "siam1=1000&sod=R3&actp1=4&acam1=1000");
    // Card change between two cycles: the declining demo member from now on.
    const change = await legacy(h, "payment.aspx", `job=ACCHANGE&acid=${acid}&upcmemberid=demo-decline`);
    expect(field(change, "rst")).toBe("1");
    await moveTo(h, "2027-04-10T01:00:00Z");
    await advance(h, 0);
    const failed = () => kickbacksOf(h, acid).filter((k) => field(k, "rst") === "2");
    expect(failed()).toHaveLength(1);
    expect(field(failed()[0] as Fields, "ec")).toBe("ER000T52G92");
    // acrd1 omitted: the legacy 7 days, sent as retry_interval P7D.
    await advance(h, 7 * DAY);
    await advance(h, 7 * DAY);
    expect(failed()).toHaveLength(3);
    const status = await legacy(h, "payment.aspx", `job=ACSTATUS&acid=${acid}`);
    expect(obj(status)).toMatchObject({ rst: "1", acid, acst: "suspended", actp: "4" });
    await advance(h, 60 * DAY);
    expect(failed()).toHaveLength(3);
  });

  it("suspend and resume by acid: resumed before the due date it charges then; after it, the next cycle date", async () => {
    const { acid } = await subscribe(h, "siam1=1000&sod=R4&actp1=4&acam1=700");
    const pause = await legacy(h, "payment.aspx", `job=ACSUSPEND&acid=${acid}`);
    expect(obj(pause)).toMatchObject({ rst: "1", job: "ACSUSPEND", acid });
    // The same request again is its replay, not a second change.
    expect(obj(await legacy(h, "payment.aspx", `job=ACSUSPEND&acid=${acid}`))).toEqual(obj(pause));
    await advance(h, 5 * DAY);
    const resume = await legacy(h, "payment.aspx", `job=ACRESUME&acid=${acid}`);
    expect(field(resume, "rst")).toBe("1");
    await moveTo(h, "2027-04-10T01:00:00Z");
    await h.drain();
    expect(kickbacksOf(h, acid)).toHaveLength(2);

    await legacy(h, "payment.aspx", `job=ACSUSPEND&acid=${acid}&try=2`);
    await moveTo(h, "2027-05-20T01:00:00Z"); // past 05-10
    const late = await legacy(h, "payment.aspx", `job=ACRESUME&acid=${acid}&try=2`);
    expect(field(late, "rst")).toBe("1");
    await h.drain();
    expect(kickbacksOf(h, acid)).toHaveLength(2); // the missed cycle is not charged
    const st = await legacy(h, "payment.aspx", `job=ACSTATUS&acid=${acid}`);
    expect(field(st, "acnd")).toBe("20270610");
  });

  it("a fixed count: acrm1=2 automatic charges after the first, then completed; ACCANCEL of another stops all charges", async () => {
    const { acid } = await subscribe(h, "siam1=3000&sod=R5&actp1=4&acam1=1200&acrm1=2");
    const row = await autoBilling(h, acid);
    const sub = await h.gateway.deps.client.getSubscription(h.merchant.credentials, row.subscriptionId as string);
    expect(sub).toMatchObject({ amount: 5400, initial_amount: 3000 });
    await moveTo(h, "2027-04-10T01:00:00Z");
    await h.drain();
    await moveTo(h, "2027-05-10T01:00:00Z");
    await h.drain();
    await advance(h, 62 * DAY);
    const ks = kickbacksOf(h, acid);
    expect(ks.map((k) => field(k, "ta"))).toEqual(["3000", "1200", "1200"]);
    const st = await legacy(h, "payment.aspx", `job=ACSTATUS&acid=${acid}`);
    expect(field(st, "acst")).toBe("completed");

    const other = await subscribe(h, "siam1=800&sod=R6&actp1=2&acam1=800");
    const stop = await legacy(h, "payment.aspx", `job=ACCANCEL&acid=${other.acid}`);
    expect(obj(stop)).toMatchObject({ rst: "1", job: "ACCANCEL", acid: other.acid });
    await advance(h, 30 * DAY);
    expect(kickbacksOf(h, other.acid)).toHaveLength(1);
    const again = await legacy(h, "payment.aspx", `job=ACRESUME&acid=${other.acid}`);
    expect(field(again, "rst")).toBe("2");
    expect(field(again, "ec")).toBe("ER000GOP002");
  });

  it("actp1 20–24: the first two automatic charge dates at UnivaPay", async () => {
    // D = 2027-03-10 (JST). [query, first automatic charge, second]
    const cases: Array<[string, string, string]> = [
      ["actp1=23&acdc1=7&acmc1=3", "2027-03-13", "2027-03-20"],
      ["actp1=22&acdc1=5&acmc1=2", "2027-03-15", "2027-05-15"],
      ["actp1=20&acdc1=10", "2027-03-20", "2027-03-30"],
      ["actp1=21&acdc1=25&acmc1=1", "2027-03-25", "2027-04-25"],
      ["actp1=24&acdc1=31&acmc1=1", "2027-04-30", "2027-05-31"],
    ];
    const subs: string[] = [];
    for (const [i, [q]] of cases.entries()) {
      const { acid, reply } = await subscribe(h, `siam1=1000&sod=D${i}&acam1=100&${q}`);
      expect(field(reply, "actp")).toBe(/actp1=(\d+)/.exec(q)?.[1]);
      expect(field(reply, "acdc")).toBe(/acdc1=(\d+)/.exec(q)?.[1]);
      subs.push((await autoBilling(h, acid)).subscriptionId as string);
    }
    const dueOf = async (id: string) => (await h.gateway.deps.client.getSubscription(h.merchant.credentials, id)).next_payment?.due_date;
    for (const [i, [q, first]] of cases.entries()) expect([q, await dueOf(subs[i] as string)]).toEqual([q, first]);
    for (const [i, [q, first, second]] of cases.entries()) {
      await moveTo(h, `${first}T01:00:00Z`);
      expect([q, await dueOf(subs[i] as string)]).toEqual([q, second]);
    }
  });

  it("a declining card at creation is rst=2, the auto-billing never charges; bad plans are refused with their codes", async () => {
    const reply = await legacy(h, "memberpay.aspx", "job=CAPTURE&upcmemberid=demo-decline&siam1=1000&sod=X1&actp1=4&acam1=500");
    expect(field(reply, "rst")).toBe("2");
    expect(field(reply, "ec")).toBe("ER000T52G92");
    const acid = field(reply, "acid") as string;
    await h.drain();
    await advance(h, 40 * DAY);
    expect(kickbacksOf(h, acid).map((k) => field(k, "rst"))).toEqual(["2"]);

    const bad = await legacy(h, "memberpay.aspx", "job=CAPTURE&upcmemberid=demo-ok&siam1=1000&sod=X2&actp1=9&acam1=500");
    expect(field(bad, "ec")).toBe("ER000GRQ040");
    const noAmount = await legacy(h, "memberpay.aspx", "job=CAPTURE&upcmemberid=demo-ok&siam1=1000&sod=X3&actp1=4");
    expect(field(noAmount, "ec")).toBe("ER000GRQ043");
    const unknown = await legacy(h, "payment.aspx", "job=ACSTATUS&acid=1234567890");
    expect(field(unknown, "ec")).toBe("ER000GOP010");
    const missing = await legacy(h, "payment.aspx", "job=ACSUSPEND");
    expect(field(missing, "ec")).toBe("ER000GRQ047");
  });

  it("installments (sc): a card-company installment plan for the whole amount; counts UnivaPay does not offer are refused", async () => {
    const reply = await legacy(h, "memberpay.aspx", "job=CAPTURE&upcmemberid=demo-ok&siam1=30000&sod=I1&sc=3");
    expect(obj(reply)).toMatchObject({ rst: "1", ta: "30000" });
    expect(field(reply, "acid")).toBeUndefined();
    const payment = await h.gateway.store.findPaymentByPid(field(reply, "pid") as string);
    expect(payment?.state).toBe("captured");
    const transition = await h.gateway.store.findTransition(creationTransitionId(payment?.pid as string));
    const sub = await h.gateway.deps.client.getSubscription(h.merchant.credentials, transition?.univapayId as string);
    expect(sub).toMatchObject({ amount: 30000, installment_plan: { plan_type: "fixed_cycles", fixed_cycles: 3 } });
    const refused = await legacy(h, "memberpay.aspx", "job=CAPTURE&upcmemberid=demo-ok&siam1=30000&sod=I2&sc=4");
    expect(field(refused, "ec")).toBe("ER000GRQ024");
  });
});

describe("自動課金 whose create answer is lost", () => {
  it("is answered rst=2 outcome_unknown; the subscription that was made is found, stopped for good and its first charge refunded", async () => {
    const h = await startHarness({
      db: "sqlite",
      sharedClock: true,
      env: { ANSWER_DEADLINE_MS: "1500" },
      sandbox: { testRecurringTokenExpiry: false, rateLimits: false },
    });
    try {
      h.sandbox.faults.set({ routes: [{ method: "POST", pathPattern: "/subscriptions", dropRate: 1, when: "after" }] });
      const reply = await legacy(h, "memberpay.aspx", "job=CAPTURE&upcmemberid=demo-ok&siam1=1000&sod=L1&actp1=4&acam1=500");
      h.sandbox.faults.clear();
      expect(field(reply, "rst")).toBe("2");
      expect(field(reply, "ec")).toBe("ER000P02P02");
      const pid = field(reply, "pid") as string;
      const acid = field(reply, "acid") as string;
      let state: string | undefined;
      for (let i = 0; i < 20 && state !== "reversed" && state !== "failed"; i++) {
        await h.sandbox.clock.advance(200_000);
        await h.gateway.reconciler.tick();
        await h.drain();
        state = (await h.gateway.store.findTransition(creationTransitionId(pid)))?.state;
      }
      expect(state).toBe("reversed");
      const row = await autoBilling(h, acid);
      const sub = await h.gateway.deps.client.getSubscription(h.merchant.credentials, row.subscriptionId as string);
      expect(sub.status).toBe("canceled");
      const [first] = await h.gateway.deps.client.listSubscriptionCharges(h.merchant.credentials, sub.id);
      expect((await h.listRefunds(first?.id as string)).map((r) => r.status)).toEqual(["successful"]);
      // No automatic charge follows.
      await advance(h, 40 * DAY);
      expect(await h.gateway.deps.client.listSubscriptionCharges(h.merchant.credentials, sub.id)).toHaveLength(1);
      expect(kickbacksOf(h, acid)).toHaveLength(0);
    } finally {
      await h.close();
    }
  });
});

describe("自動課金 with a kickback endpoint that is down during a cycle", () => {
  it("retries the cycle's kickback until the shop answers, with one payment and one pid", async () => {
    // The first payment's kickback is delivered; the cycle's meets two 503s.
    const h = await startHarness({
      db: "postgres",
      sharedClock: true,
      receiverScript: [200, 503, 503, 200],
      sandbox: { testRecurringTokenExpiry: false, rateLimits: false },
    });
    try {
      await moveTo(h, "2027-03-10T01:00:00Z");
      const { acid } = await subscribe(h, "siam1=1000&sod=K1&actp1=2&acam1=300");
      await moveTo(h, "2027-03-17T02:00:00Z");
      await h.drain();
      for (let i = 0; i < 3; i++) {
        await advance(h, 3_600_000); // past the retry delay (base 10 s, doubling)
      }
      const ks = kickbacksOf(h, acid);
      const cyclePids = new Set(ks.slice(1).map((k) => field(k, "pid")));
      expect(ks).toHaveLength(4); // first, then the cycle three times: 503, 503, 200
      expect(cyclePids.size).toBe(1);
      const [cyclePid] = [...cyclePids] as [string];
      const rows = await h.gateway.store.listKickbacks(cyclePid);
      expect(rows.map((r) => [r.state, r.attempts])).toEqual([["delivered", 3]]);
    } finally {
      await h.close();
    }
  });
});
