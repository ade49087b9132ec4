/**
 * The spine end to end: legacy request → gateway → sandbox (over HTTP) → reply + kickback, on
 * SQLite and on PostgreSQL.
 */
import iconv from "iconv-lite";
import { insertPayment } from "../contract/store-builders";
import { DATABASES, startHarness, type Harness } from "../support/gateway-harness";
import { field, replyFields, sendRaw } from "../support/raw-http";

jest.setTimeout(60_000);

const q = (s: string) => Buffer.from(s, "latin1");

describe.each(DATABASES)("legacy card payments on %s", (db) => {
  let h: Harness;
  beforeAll(async () => {
    // A replay window longer than a month, so that a card can expire between a request and its resend.
    h = await startHarness({ db, env: { REPLAY_WINDOW_MS: String(60 * 24 * 3600_000) } });
  });
  afterAll(async () => {
    await h?.close();
  });

  const call = async (path: string, query: string) => {
    const res = await sendRaw(h.gateway.url, "GET", q(`${path}?${query}`));
    expect(res.status).toBe(200);
    return replyFields(res.body);
  };
  const lastKickback = () => replyFields(h.receiver.received[h.receiver.received.length - 1]!.rawQuery);

  it("CAPTURE authorises and captures at once, answers rst=1 with an 8-digit pid, and kickbacks once", async () => {
    const before = h.receiver.received.length;
    const r = await call("/memberpay.aspx", `sid=${h.sid}&svid=1&ptype=1&job=CAPTURE&rt=4&upcmemberid=demo-ok&siam1=1000&sisf1=80&sod=A1&no=42`);
    expect(field(r, "rst")).toBe("1");
    expect(field(r, "ec")).toBe("ER000000000");
    expect(field(r, "pid")).toMatch(/^[1-9]\d{7}$/);
    expect(field(r, "ta")).toBe("1080");
    expect(field(r, "ap")).toBe("TestMode");
    expect(field(r, "job")).toBe("CAPTURE");
    expect(field(r, "no")).toBe("42");
    await h.drain();
    expect(h.receiver.received.length).toBe(before + 1);
    const k = lastKickback();
    expect(field(k, "pid")).toBe(field(r, "pid"));
    expect(field(k, "rst")).toBe("1");
    expect(field(k, "job")).toBe("CAPTURE");
    expect(field(k, "sod")).toBe("A1");
    expect(field(k, "no")).toBe("42");
    const p = await h.gateway.store.findPaymentByPid(field(r, "pid")!);
    expect(p?.state).toBe("captured");
    expect(p?.amount).toBe(1080);
  });

  it("AUTH then SALES captures the authorisation and kickbacks both transitions", async () => {
    const a = await call("/memberpay.aspx", `sid=${h.sid}&job=AUTH&upcmemberid=demo-ok&siam1=500&sod=A2&no=7`);
    expect(field(a, "rst")).toBe("1");
    const pid = field(a, "pid")!;
    expect((await h.gateway.store.findPaymentByPid(pid))?.state).toBe("authorized");
    const s = await call("/payment.aspx", `sid=${h.sid}&svid=1&ptype=1&rt=4&job=SALES&pid=${pid}`);
    expect(field(s, "rst")).toBe("1");
    expect(field(s, "job")).toBe("SALES");
    expect(field(s, "pid")).toBe(pid);
    await h.drain();
    const kicks = h.receiver.received.map((x) => replyFields(x.rawQuery)).filter((k) => field(k, "pid") === pid);
    expect(kicks.map((k) => field(k, "job"))).toEqual(["AUTH", "SALES"]);
    // The SALES kickback carries the original order's own fields, so the merchant finds its order.
    expect(field(kicks[1]!, "no")).toBe("7");
    expect((await h.gateway.store.findPaymentByPid(pid))?.state).toBe("captured");
  });

  it("CANCEL of an authorisation voids it", async () => {
    const a = await call("/memberpay.aspx", `sid=${h.sid}&job=AUTH&upcmemberid=demo-ok&siam1=700&sod=A3`);
    const pid = field(a, "pid")!;
    const c = await call("/payment.aspx", `sid=${h.sid}&svid=1&ptype=1&rt=4&job=CANCEL&pid=${pid}`);
    expect(field(c, "rst")).toBe("1");
    expect(field(c, "job")).toBe("CANCEL");
    const p = await h.gateway.store.findPaymentByPid(pid);
    expect(p?.state).toBe("canceled");
    const ops = (await h.gateway.store.listTransitions(pid)).filter((t) => t.kind !== "charge");
    expect(ops.map((t) => [t.kind, t.resource])).toEqual([["cancel", "cancel"]]);
  });

  it("SALES and CANCEL without svid act on the payment's own service, as README's table shows them", async () => {
    const a = await call("/memberpay.aspx", `sid=${h.sid}&job=AUTH&upcmemberid=demo-ok&siam1=730&sod=NOSVID`);
    const pid = field(a, "pid")!;
    expect(field(await call("/payment.aspx", `sid=${h.sid}&job=SALES&pid=${pid}`), "rst")).toBe("1");
    expect(field(await call("/payment.aspx", `sid=${h.sid}&job=CANCEL&pid=${pid}`), "rst")).toBe("1");
    expect((await h.gateway.store.findPaymentByPid(pid))?.state).toBe("refunded");
  });

  it("a refused request still says which job, order and amount it refused, and no pid", async () => {
    const r = await call("/memberpay.aspx", `sid=${h.sid}&job=capture&upcmemberid=nobody&siam1=1500&sisf1=100&sod=REFUSED1&no=3`);
    expect(field(r, "rst")).toBe("2");
    expect([field(r, "job"), field(r, "sod"), field(r, "ta"), field(r, "pid"), field(r, "no")]).toEqual(["CAPTURE", "REFUSED1", "1600", "", "3"]);
  });

  it("keeps the + of an unescaped email (EC-CUBE appends em raw)", async () => {
    const r = await call("/memberpay.aspx", `sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=740&sod=PLUS1&em=taro+shop@example.jp`);
    expect(field(r, "rst")).toBe("1");
    const charges = await h.listCharges();
    const p = await h.gateway.store.findPaymentByPid(field(r, "pid")!);
    expect(charges.find((c) => c.id === p?.chargeId)?.metadata["legacy-email"]).toBe("taro+shop@example.jp");
  });

  it("refuses a card number in a merchant field and keeps it nowhere", async () => {
    const r = await call("/memberpay.aspx", `sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=750&sod=PAN1&memo=card%204111%201111%201111%201111&no=9`);
    expect(field(r, "rst")).toBe("2");
    expect(field(r, "ec")).toBe("ER000GRQ008");
    expect(field(r, "memo")).toBeUndefined(); // not even echoed back
    expect(field(r, "no")).toBe("9");
    // The whole number in any spacing (a bare "4111" also turns up inside random charge ids).
    expect((await h.listCharges()).some((c) => /4111[\s%20+]*1111[\s%20+]*1111[\s%20+]*1111/.test(JSON.stringify(c)))).toBe(false);
  });

  it("while a merchant is not verified, answers a repeat from what is stored and refuses anything new", async () => {
    const query = `sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=760&sod=UNVERIFIED1`;
    const first = await call("/memberpay.aspx", query);
    const cancel = `sid=${h.sid}&job=CANCEL&pid=${field(first, "pid")}`;
    expect(field(await call("/payment.aspx", cancel), "rst")).toBe("1");
    h.gateway.deps.merchants.setStatus(h.sid, { state: "unverified", reason: "test: UnivaPay unreachable at start" });
    try {
      const again = await call("/memberpay.aspx", query);
      expect([field(again, "rst"), field(again, "pid")]).toEqual(["1", field(first, "pid")]);
      expect(field(await call("/payment.aspx", cancel), "rst")).toBe("1");
      const fresh = await call("/memberpay.aspx", `sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=760&sod=UNVERIFIED2`);
      expect([field(fresh, "rst"), field(fresh, "ec"), field(fresh, "pid")]).toEqual(["2", "ER000P02P02", ""]);
    } finally {
      h.gateway.deps.merchants.setStatus(h.sid, { state: "verified" });
    }
  });

  it("finds a payment written before request keys were HMACs when its request is sent again, during the day after the upgrade", async () => {
    const { handleLegacyRequest } = await import("../../src/payments/handle-legacy-request");
    const { unkeyedRequestKey } = await import("../../src/payments/legacy-request-key");
    const { parseLegacyForm } = await import("../../src/legacy/legacy-form");
    const raw = Buffer.from(`sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=770&sod=PRIOR1`);
    const parsed = parseLegacyForm(raw, { charset: "UTF-8" });
    if (!parsed.ok) throw new Error("unparseable");
    // The row as the previous version wrote it: an unkeyed SHA-256 request key, already captured.
    const { row } = await insertPayment(
      h.gateway.store,
      {
        sid: h.sid,
        requestKey: unkeyedRequestKey(h.sid, "memberpay", parsed.form),
        chargeId: "ch-prior",
        tokenId: null,
        job: "CAPTURE",
        svid: "1",
        amount: 770,
        total: 770,
        sod: "PRIOR1",
        orderKey: "PRIOR1",
        state: "captured",
        echo: "",
        charset: "UTF-8",
        mode: "test",
      },
      { state: "succeeded", resource: "charge", univapayId: "ch-prior", univapayStatus: "successful" },
    );
    const deps = { ...h.gateway.deps, priorKeysUntil: new Date(Date.now() + 60_000) };
    const reply = replyFields((await handleLegacyRequest(deps, "memberpay", raw, "127.0.0.1")).body);
    expect([field(reply, "rst"), field(reply, "pid")]).toEqual(["1", row.pid]);
    // Outside that window the old key is not looked for (it has been retired by then).
    const later = replyFields((await handleLegacyRequest(h.gateway.deps, "memberpay", raw, "127.0.0.1")).body);
    expect(field(later, "pid")).not.toBe(row.pid);
  });

  it("CANCEL of a captured payment refunds it", async () => {
    const a = await call("/memberpay.aspx", `sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=900&sod=A4`);
    const pid = field(a, "pid")!;
    const c = await call("/payment.aspx", `sid=${h.sid}&svid=1&ptype=1&rt=4&job=CANCEL&pid=${pid}`);
    expect(field(c, "rst")).toBe("1");
    expect((await h.gateway.store.findPaymentByPid(pid))?.state).toBe("refunded");
    expect((await h.gateway.store.listTransitions(pid)).filter((t) => t.kind !== "charge").map((t) => [t.kind, t.resource])).toEqual([["cancel", "refund"]]);
  });

  it("a declining card answers rst=2 with its ec and kickbacks the failure", async () => {
    const r = await call("/memberpay.aspx", `sid=${h.sid}&job=CAPTURE&upcmemberid=demo-decline&siam1=1200&sod=D1`);
    expect(field(r, "rst")).toBe("2");
    const ec = field(r, "ec")!;
    expect(ec).toHaveLength(11);
    expect(ec).not.toBe("ER000000000");
    expect(field(r, "pid")).toMatch(/^\d{8}$/);
    await h.drain();
    const k = lastKickback();
    expect(field(k, "pid")).toBe(field(r, "pid"));
    expect(field(k, "rst")).toBe("2");
    expect(field(k, "ec")).toBe(ec);
  });

  it("the same legacy request sent twice makes one charge and answers the same pid", async () => {
    const query = `sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=1500&sod=DUP-1&no=x`;
    const [a, b] = await Promise.all([call("/memberpay.aspx", query), call("/memberpay.aspx", query)]);
    const c = await call("/memberpay.aspx", query);
    expect(field(a, "pid")).toBe(field(b, "pid"));
    expect(field(a, "pid")).toBe(field(c, "pid"));
    expect([field(a, "rst"), field(b, "rst"), field(c, "rst")]).toEqual(["1", "1", "1"]);
    const charges = (await h.listCharges()).filter((ch) => ch.metadata["univapay-reference-id"] === "DUP-1");
    expect(charges).toHaveLength(1);
    await h.drain();
    const kicks = h.receiver.received.filter((x) => field(replyFields(x.rawQuery), "pid") === field(a, "pid"));
    expect(kicks).toHaveLength(1);
  });

  it("SALES on an unknown pid and on a captured payment answers rst=2 with documented codes", async () => {
    const unknown = await call("/payment.aspx", `sid=${h.sid}&svid=1&ptype=1&job=SALES&pid=99999999`);
    expect(field(unknown, "rst")).toBe("2");
    const a = await call("/memberpay.aspx", `sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=300&sod=S1`);
    const notAllowed = await call("/payment.aspx", `sid=${h.sid}&svid=1&ptype=1&job=SALES&pid=${field(a, "pid")}`);
    expect(field(notAllowed, "rst")).toBe("2");
    expect(field(notAllowed, "ec")).not.toBe(field(unknown, "ec"));
  });

  it("gateway card method (ptype=1 with card data) tokenises then charges", async () => {
    const r = await call(
      "/payment.aspx",
      `sid=${h.sid}&svid=1&ptype=1&job=CAPTURE&siam1=2000&sod=G1&em=buyer@example.jp&cardno=4000020000000000&expire=1230&securitycode=123&holderfirstname=TARO&holderlastname=YAMADA`,
    );
    expect(field(r, "rst")).toBe("1");
    expect(field(r, "pid")).toMatch(/^\d{8}$/);
  });

  it("a resend of a card payment made before its card expired answers what was charged, not card_expired", async () => {
    const jst = new Date(Date.now() + 9 * 3600_000);
    const expire = `${String(jst.getUTCMonth() + 1).padStart(2, "0")}${String(jst.getUTCFullYear() % 100).padStart(2, "0")}`;
    const body = `sid=${h.sid}&svid=1&ptype=1&job=CAPTURE&siam1=2100&sod=EXP1&em=buyer@example.jp&cardno=4000020000000000&expire=${expire}&securitycode=123&holderfirstname=TARO&holderlastname=YAMADA`;
    const first = await call("/payment.aspx", body);
    expect(field(first, "rst")).toBe("1");
    h.advance(40 * 24 * 3600_000); // the card has expired since
    const again = await call("/payment.aspx", body);
    expect([field(again, "rst"), field(again, "pid")]).toEqual(["1", field(first, "pid")]);
    // Past the replay window it is a new request, refused for its expired card.
    h.advance(30 * 24 * 3600_000);
    const late = await call("/payment.aspx", body);
    expect([field(late, "rst"), field(late, "pid")]).toEqual(["2", ""]);
  });
});

describe("Shift_JIS merchant", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ db: "sqlite", charset: "Shift_JIS", sid: "300001" });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("echoes a Shift_JIS custom field byte-exactly in the reply and the kickback", async () => {
    const name = iconv.encode("山田　太郎（ﾔﾏﾀﾞ）～①", "cp932");
    // Raw, unescaped Shift_JIS bytes in the query string, as old PHP shops send them.
    const target = Buffer.concat([q(`/memberpay.aspx?sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=100&sod=SJ1&name=`), name]);
    const res = await sendRaw(h.gateway.url, "GET", target);
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toContain("Shift_JIS");
    const r = replyFields(res.body);
    expect(field(r, "rst")).toBe("1");
    expect(r.get("name")!.equals(name)).toBe(true);
    await h.drain();
    const k = replyFields(h.receiver.received[h.receiver.received.length - 1]!.rawQuery);
    expect(k.get("name")!.equals(name)).toBe(true);
  });
});
