/**
 * job=CHECK (有効性チェック) through the gateway and the sandbox: card data becomes a member by a
 * CVV authorisation (UnivaPay's 1-yen auth), answered in the legacy format with the member to
 * charge by memberpay.aspx; a member's card is checked without a charge; declines, bad cards and
 * requests CHECK cannot honour are refused with their codes; a CHECK's pid moves no money.
 */
import { ecFor } from "../../src/mapping";
import { startHarness, type Harness } from "../support/gateway-harness";
import { field, replyFields, sendRaw } from "../support/raw-http";

jest.setTimeout(60_000);

const CARD = "em=buyer@example.jp&expire=1230&securitycode=123&holderfirstname=TARO&holderlastname=YAMADA";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("job=CHECK (有効性チェック)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ db: "sqlite" });
  });
  afterAll(async () => {
    await h?.close();
  });

  const call = async (path: string, query: string) => {
    const res = await sendRaw(h.gateway.url, "GET", Buffer.from(`${path}?sid=${h.sid}&${query}`));
    expect(res.status).toBe(200);
    return replyFields(res.body);
  };
  const kickbacksOf = (pid: string) => h.receiver.received.map((k) => replyFields(k.rawQuery)).filter((k) => field(k, "pid") === pid);

  it("card data → rst=1 naming the new member; memberpay charges it; the CHECK's pid moves no money", async () => {
    const r = await call("/payment.aspx", `svid=1&ptype=1&job=CHECK&sod=C1&no=5&cardno=4000020000000000&${CARD}`);
    expect([field(r, "rst"), field(r, "ec"), field(r, "job"), field(r, "ta"), field(r, "sod"), field(r, "no")]).toEqual([
      "1",
      "ER000000000",
      "CHECK",
      "0",
      "C1",
      "5",
    ]);
    const pid = field(r, "pid") as string;
    const member = field(r, "upcmemberid") as string;
    expect(member).toMatch(UUID);
    const token = await h.gateway.deps.client.getTransactionToken(h.merchant.credentials, member);
    expect(token).toMatchObject({ type: "recurring", data: { cvv_authorize: { status: "current" } } });
    expect((await h.gateway.store.findPaymentByPid(pid))?.state).toBe("checked");
    // The kickback says the same, member included.
    await h.drain();
    const [kick, ...more] = kickbacksOf(pid);
    expect(more).toHaveLength(0);
    expect([field(kick!, "rst"), field(kick!, "job"), field(kick!, "upcmemberid"), field(kick!, "no")]).toEqual(["1", "CHECK", member, "5"]);

    // Later, with no CVV: the checked member pays, and again (a recurring token).
    for (const sod of ["C1-1", "C1-2"]) {
      const paid = await call("/memberpay.aspx", `job=CAPTURE&upcmemberid=${member}&siam1=1200&sod=${sod}`);
      expect([field(paid, "rst"), field(paid, "ta")]).toEqual(["1", "1200"]);
      expect(field(paid, "upcmemberid")).toBeUndefined();
    }
    // The same CHECK again is its first answer (one token), and SALES / CANCEL of it are refused.
    const again = await call("/payment.aspx", `svid=1&ptype=1&job=CHECK&sod=C1&no=5&cardno=4000020000000000&${CARD}`);
    expect([field(again, "pid"), field(again, "upcmemberid")]).toEqual([pid, member]);
    for (const job of ["SALES", "CANCEL"]) {
      const refused = await call("/payment.aspx", `svid=1&job=${job}&pid=${pid}`);
      expect([field(refused, "rst"), field(refused, "ec")]).toEqual(["2", ecFor(h.gateway.deps.table, "operation_not_allowed")]);
    }
  });

  it("a declining card is rst=2 with the issuer's code, an empty upcmemberid and no member", async () => {
    const r = await call("/payment.aspx", `svid=1&ptype=1&job=CHECK&sod=C2&cardno=4111111111111111&${CARD}`);
    expect(field(r, "rst")).toBe("2");
    expect(field(r, "ec")).toMatch(/^ER000T52G/);
    expect(field(r, "upcmemberid")).toBe("");
    expect((await h.gateway.store.findPaymentByPid(field(r, "pid") as string))?.state).toBe("failed");
    await h.drain();
    expect(kickbacksOf(field(r, "pid") as string).map((k) => field(k, "rst"))).toEqual(["2"]);
  });

  it("bad card data and a member id of the merchant's own are refused before anything is sent", async () => {
    const tokensBefore = await h.listTokens();
    const expired = await call(
      "/payment.aspx",
      `svid=1&ptype=1&job=CHECK&cardno=4000020000000000&em=a@b.jp&expire=0120&securitycode=123&holderfirstname=A&holderlastname=B`,
    );
    expect([field(expired, "rst"), field(expired, "ec"), field(expired, "pid")]).toEqual(["2", "ER000PC2G04", ""]);
    const short = await call("/payment.aspx", `svid=1&ptype=1&job=CHECK&cardno=4000&${CARD}`);
    expect(field(short, "ec")).toBe(ecFor(h.gateway.deps.table, "card_number_short"));
    const named = await call("/payment.aspx", `svid=1&ptype=1&job=CHECK&upcmemberid=mine-1&cardno=4000020000000000&${CARD}`);
    expect(field(named, "ec")).toBe("ER000GRQ048");
    const recurring = await call("/payment.aspx", `svid=1&ptype=1&job=CHECK&actp1=4&acam1=100&cardno=4000020000000000&${CARD}`);
    expect(field(recurring, "ec")).toBe(ecFor(h.gateway.deps.table, "recurring_not_supported"));
    expect(await h.listTokens()).toHaveLength(tokensBefore.length);
  });

  it("memberpay CHECK checks a member's card without charging it", async () => {
    const chargesBefore = (await h.listCharges()).length;
    const ok = await call("/memberpay.aspx", "job=CHECK&upcmemberid=demo-ok&sod=M1");
    expect([field(ok, "rst"), field(ok, "job"), field(ok, "ta")]).toEqual(["1", "CHECK", "0"]);
    // The merchant named the member: the answer does not repeat it.
    expect(field(ok, "upcmemberid")).toBeUndefined();
    // demo-decline has no CVV authorisation but was charged once: chargeable by UnivaPay's rule
    // (a decline comes with a charge, as for any card).
    const used = await call("/memberpay.aspx", "job=CHECK&upcmemberid=demo-decline&sod=M2");
    expect(field(used, "rst")).toBe("1");
    // The token of a card whose CVV authorisation failed is not a member that can pay.
    const declined = await call("/payment.aspx", `svid=1&ptype=1&job=CHECK&sod=M4&cardno=4111111111111111&${CARD}`);
    const tokenId = (await h.gateway.store.findPaymentByPid(field(declined, "pid") as string))?.tokenId as string;
    expect(tokenId).toMatch(UUID);
    const bad = await call("/memberpay.aspx", `job=CHECK&upcmemberid=${tokenId}&sod=M5`);
    expect([field(bad, "rst"), field(bad, "ec")]).toEqual(["2", field(declined, "ec")]);
    const unknown = await call("/memberpay.aspx", "job=CHECK&upcmemberid=nobody&sod=M3");
    expect([field(unknown, "rst"), field(unknown, "ec"), field(unknown, "pid")]).toEqual(["2", ecFor(h.gateway.deps.table, "member_unknown"), ""]);
    // None of the member checks charged anything: the one new charge is the card CHECK's 1-yen
    // authorisation (M4).
    expect(await h.listCharges()).toHaveLength(chargesBefore + 1);
  });
});

describe("job=CHECK for a merchant without gateway card payments", () => {
  it("is refused GOP001 and sends nothing", async () => {
    const h = await startHarness({ db: "sqlite", gatewayCardPayments: false });
    try {
      const before = (await h.listTokens()).length;
      const res = await sendRaw(h.gateway.url, "GET", Buffer.from(`/payment.aspx?sid=${h.sid}&svid=1&ptype=1&job=CHECK&cardno=4000020000000000&${CARD}`));
      const r = replyFields(res.body);
      expect([field(r, "rst"), field(r, "ec")]).toEqual(["2", ecFor(h.gateway.deps.table, "card_payments_disabled")]);
      expect(await h.listTokens()).toHaveLength(before);
    } finally {
      await h.close();
    }
  });
});
