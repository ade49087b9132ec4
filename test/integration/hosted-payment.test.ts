/**
 * The link method end to end over real HTTP, without a browser (test/browser has the Chromium
 * runs): the shop's redirect → payment.aspx (ptype 8, as the EC-CUBE plugin sends it) → the
 * sandbox's link form → /return → the shop's sucd URL, and the one kickback, whichever of the
 * return, the webhook and the reconciler sees the charge first. Also: a decline to the back URL,
 * AUTH then SALES by the pid, refused entries (Referer, service, sucd), a tampered amount, a
 * shopper who never pays (expiry with its kickback), and a second attempt after that.
 */
import axios from "axios";
import { startHarness, type Harness } from "../support/gateway-harness";
import { get, payOnForm, type Hop } from "../support/link-form-shopper";
import { field, replyFields, sendRaw } from "../support/raw-http";

jest.setTimeout(90_000);

const SHOP = "https://shop.example.jp";
const COMPLETE = `${SHOP}/upc_payment_plugin_complete`;
const BACK = `${SHOP}/upc_payment_back`;
const REFERER = { Referer: `${SHOP}/shopping/confirm` };
const TTL_MS = 60_000;
// Past the link's life and the reconciler's staleness (RECONCILE_STALE_AFTER_MS, 120 s).
const PAST_TTL_MS = TTL_MS + 130_000;

const kickbackFields = (raw: Buffer) => new URLSearchParams(raw.toString("latin1"));

describe("link method (payment.aspx ptype 3/4/8)", () => {
  let h: Harness;
  let order = 1000;
  beforeAll(async () => {
    h = await startHarness({
      db: "sqlite",
      // The test reads the store's charges and refunds after most steps: more GETs a minute than
      // UnivaPay's per-route budget, which is not what this file tests.
      sandbox: { rateLimits: false },
      hostedPage: { sourceOrigins: [SHOP], returnUrls: { p_return: COMPLETE }, backUrls: { p_return: BACK } },
      env: { HOSTED_LINK_TTL_MS: String(TTL_MS) },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  const entryUrl = (job: string, extra = "", ptype = "8") => {
    order += 1;
    return {
      no: String(order),
      url: `${h.gateway.url}/payment.aspx?no=${order}&sid=${h.sid}&svid=1&ptype=${ptype}&job=${job}&siam1=1500&em=shopper@example.com&tn=0312345678&sucd=p_return${extra}`,
    };
  };
  const kickbacksFor = (no: string) => h.receiver.received.filter((k) => kickbackFields(k.rawQuery).get("no") === no);
  /** Entry → the form page. */
  async function toForm(url: string): Promise<{ entry: Hop; form: Hop }> {
    const entry = await get(url, REFERER);
    expect(entry.status).toBe(302);
    const form = await get(entry.location as string);
    expect(form.status).toBe(200);
    return { entry, form };
  }

  it("pays: the form, the return to the sucd URL with no and the result, exactly one kickback", async () => {
    const { no, url } = entryUrl("CAPTURE");
    const { entry, form } = await toForm(url);
    const formUrl = new URL(entry.location as string);
    expect(formUrl.pathname).toBe(`/forms/${h.merchant.hostedPage?.formId}`);
    expect(formUrl.searchParams.get("amount")).toBe("1500");
    expect(formUrl.searchParams.get("auth")).toBeNull();
    expect(formUrl.searchParams.get("metadata")).toMatch(/^legacy-pid:"\d{8}",legacy-sid:"200001"$/);
    const pid = /legacy-pid:"(\d{8})"/.exec(formUrl.searchParams.get("metadata") ?? "")?.[1] as string;
    expect((await h.gateway.store.findPaymentByPid(pid))?.state).toBe("requested");

    const paid = await payOnForm(form, { number: "4000020000000000" });
    expect(paid.status).toBe(303);
    expect(paid.location).toMatch(new RegExp(`^${h.gateway.url}/return/${pid}/p_return/`));
    const back = await get(paid.location as string);
    expect(back.status).toBe(303);
    const shop = new URL(back.location as string);
    expect(shop.origin + shop.pathname).toBe(COMPLETE);
    expect(Object.fromEntries(shop.searchParams)).toMatchObject({ pid, rst: "1", ec: "ER000000000", job: "CAPTURE", ta: "1500", no });
    expect(back.body).not.toContain("4000020000000000");

    // A reload of the return, and the webhook and the reconciler after it: the same answer, one kickback.
    const again = await get(paid.location as string);
    expect(again.location).toBe(back.location);
    await h.drain();
    await h.gateway.reconciler.tick();
    await h.drain();
    const kbs = kickbacksFor(no);
    expect(kbs).toHaveLength(1);
    expect(Object.fromEntries(kickbackFields((kbs[0] as { rawQuery: Buffer }).rawQuery))).toMatchObject({ pid, rst: "1", job: "CAPTURE", no });
    expect((await h.gateway.store.findPaymentByPid(pid))?.state).toBe("captured");
    const charges = (await h.listCharges()).filter((c) => c.metadata["legacy-pid"] === pid);
    expect(charges.map((c) => c.status)).toEqual(["successful"]);
    const counted = (await h.gateway.metrics.registry.getSingleMetric("gateway_hosted_page_requests_total")?.get())?.values ?? [];
    expect(counted.find((v) => v.labels["step"] === "entry" && v.labels["outcome"] === "sent_to_form")?.value).toBeGreaterThanOrEqual(1);
    expect(counted.find((v) => v.labels["step"] === "return" && v.labels["outcome"] === "paid")?.value).toBeGreaterThanOrEqual(1);
  });

  it("settles from the webhook when it comes before the shopper: still one kickback", async () => {
    const { no, url } = entryUrl("CAPTURE");
    const { form } = await toForm(url);
    const paid = await payOnForm(form, { number: "4000020000000000" });
    const pid = /\/return\/(\d{8})\//.exec(paid.location as string)?.[1];
    const charge = (await h.listCharges()).find((c) => c.metadata["legacy-pid"] === pid);
    expect(charge?.status).toBe("successful");
    await h.waitForWebhook((charge as { id: string }).id, "charge_finished");
    await h.drain();
    expect(kickbacksFor(no)).toHaveLength(1);
    const back = await get(paid.location as string);
    expect(new URL(back.location as string).searchParams.get("rst")).toBe("1");
    await h.drain();
    expect(kickbacksFor(no)).toHaveLength(1);
  });

  it("a declined card goes to the back URL with rst=2, and the kickback says so once", async () => {
    const { no, url } = entryUrl("CAPTURE");
    const { form } = await toForm(url);
    const declined = await payOnForm(form, { number: "4111111111111111" });
    expect(declined.status).toBe(303);
    const back = await get(declined.location as string);
    const shop = new URL(back.location as string);
    expect(shop.origin + shop.pathname).toBe(BACK);
    expect(shop.searchParams.get("rst")).toBe("2");
    expect(shop.searchParams.get("ec")).not.toBe("ER000000000");
    expect(shop.searchParams.get("no")).toBe(no);
    await h.drain();
    const kbs = kickbacksFor(no);
    expect(kbs).toHaveLength(1);
    expect(kickbackFields((kbs[0] as { rawQuery: Buffer }).rawQuery).get("rst")).toBe("2");
  });

  it("AUTH on the form, then SALES by the returned pid from the shop's server", async () => {
    const { no, url } = entryUrl("AUTH");
    const { entry, form } = await toForm(url);
    expect(new URL(entry.location as string).searchParams.get("auth")).toBe("true");
    const paid = await payOnForm(form, { number: "4000020000000000" });
    const back = await get(paid.location as string);
    const result = new URL(back.location as string).searchParams;
    expect(result.get("rst")).toBe("1");
    expect(result.get("job")).toBe("AUTH");
    const pid = result.get("pid") as string;
    expect((await h.gateway.store.findPaymentByPid(pid))?.state).toBe("authorized");
    const sales = replyFields((await sendRaw(h.gateway.url, "GET", Buffer.from(`/payment.aspx?sid=${h.sid}&svid=1&ptype=1&rt=4&job=SALES&pid=${pid}`))).body);
    expect(field(sales, "rst")).toBe("1");
    expect((await h.gateway.store.findPaymentByPid(pid))?.state).toBe("captured");
    await h.drain();
    expect(kickbacksFor(no).map((k) => kickbackFields(k.rawQuery).get("job"))).toEqual(["AUTH", "SALES"]);
  });

  it("refuses a foreign or missing Referer with P06P07 on a shopper page, and stores nothing", async () => {
    const before = (await h.listCharges()).length;
    const foreign = await get(entryUrl("CAPTURE").url, { Referer: "https://evil.example/checkout" });
    expect(foreign.status).toBe(400);
    expect(foreign.body).toContain("ER000P06P07");
    expect(foreign.body).toContain('lang="ja"');
    const missing = await get(entryUrl("CAPTURE").url);
    expect(missing.status).toBe(400);
    expect(missing.body).toContain("ER000P06P07");
    expect((await h.listCharges()).length).toBe(before);
  });

  it("answers a service the link form is not mapped for, and an unknown sucd, with their pages", async () => {
    const alipay = await get(`${h.gateway.url}/payment.aspx?sid=${h.sid}&svid=6&ptype=8&job=REQUEST&siam1=100&sucd=p_return`, REFERER);
    expect(alipay.status).toBe(400);
    expect(alipay.body).toContain("このお支払い方法はご利用いただけません");
    const sucd = await get(entryUrl("CAPTURE").url.replace("sucd=p_return", "sucd=nowhere"), REFERER);
    expect(sucd.body).toContain("ER000GRQ015");
    const amount = await get(entryUrl("CAPTURE").url.replace("siam1=1500", "siam1=abc"), REFERER);
    expect(amount.body).toContain("ER000GRQ021");
  });

  /** The pid in a form URL the gateway redirected to. */
  const pidOf = (formUrl: string) => /legacy-pid:"(\d{8})"/.exec(new URL(formUrl).searchParams.get("metadata") ?? "")?.[1] as string;
  /** Follows the processing page's reloads to where the shopper ends. */
  async function settleReturn(url: string): Promise<Hop> {
    let hop = await get(url);
    for (let i = 0; i < 50 && hop.status === 200 && hop.body.includes('http-equiv="refresh"'); i++) {
      hop = await get(new URL(/url=([^"]+)"/.exec(hop.body)?.[1]?.replace(/&amp;/g, "&") as string, h.gateway.url).toString());
    }
    return hop;
  }
  const chargesOf = async (pid: string) => (await h.listCharges()).filter((c) => c.metadata["legacy-pid"] === pid);
  const refundedAmounts = async (pid: string) => (await Promise.all((await chargesOf(pid)).map((c) => h.listRefunds(c.id)))).flat().map((r) => r.amount);

  it("a tampered amount on the form never counts as paid: that charge is given back, the payment expires with rst=2", async () => {
    const { no, url } = entryUrl("CAPTURE");
    const entry = await get(url, REFERER);
    const pid = pidOf(entry.location as string);
    const form = await get((entry.location as string).replace("amount=1500", "amount=1"));
    const paid = await payOnForm(form, { number: "4000020000000000" });
    const hop = await settleReturn(paid.location as string);
    expect(hop.location ?? "").not.toContain("rst=1");
    await h.drain();
    expect((await chargesOf(pid)).map((c) => c.status)).toEqual(["successful"]);
    expect(await refundedAmounts(pid)).toEqual([1]);
    h.advance(PAST_TTL_MS);
    await h.gateway.reconciler.tick();
    await h.drain();
    expect(kickbacksFor(no).map((k) => kickbackFields(k.rawQuery).get("rst"))).toEqual(["2"]);
    expect((await h.gateway.store.findPaymentByPid(pid))?.state).toBe("failed");
    expect(await refundedAmounts(pid)).toEqual([1]);
  });

  it("AUTH with auth=true taken off the form's URL (captured at once) is never an AUTH success, and is given back", async () => {
    const { no, url } = entryUrl("AUTH");
    const entry = await get(url, REFERER);
    const pid = pidOf(entry.location as string);
    const form = await get((entry.location as string).replace("&auth=true", ""));
    const paid = await payOnForm(form, { number: "4000020000000000" });
    const hop = await settleReturn(paid.location as string);
    expect(hop.location ?? "").not.toContain("rst=1");
    await h.drain();
    expect(await refundedAmounts(pid)).toEqual([1500]);
    expect(kickbacksFor(no).filter((k) => kickbackFields(k.rawQuery).get("rst") === "1")).toHaveLength(0);
  });

  it("two tabs both paid: the first charge is the payment's, the second is given back; one kickback", async () => {
    const { no, url } = entryUrl("CAPTURE");
    const entry = await get(url, REFERER);
    const pid = pidOf(entry.location as string);
    const [tab1, tab2] = [await get(entry.location as string), await get(entry.location as string)];
    const paid1 = await payOnForm(tab1, { number: "4000020000000000" });
    const back = await get(paid1.location as string);
    expect(new URL(back.location as string).searchParams.get("rst")).toBe("1");
    const paid2 = await payOnForm(tab2, { number: "4000020000000000" });
    await get(paid2.location as string);
    await h.drain();
    const charges = await chargesOf(pid);
    expect(charges).toHaveLength(2);
    expect(await refundedAmounts(pid)).toEqual([1500]);
    const own = (await h.gateway.store.findPaymentByPid(pid))?.chargeId;
    expect((await h.listRefunds(own as string)).length).toBe(0);
    expect(kickbacksFor(no)).toHaveLength(1);
  });

  it("two tabs paid with no webhook processed yet: the return settles with the first and gives the second back", async () => {
    const { no, url } = entryUrl("CAPTURE");
    const entry = await get(url, REFERER);
    const pid = pidOf(entry.location as string);
    const [tab1, tab2] = [await get(entry.location as string), await get(entry.location as string)];
    const paid1 = await payOnForm(tab1, { number: "4000020000000000" });
    await payOnForm(tab2, { number: "4000020000000000" });
    // No drain: the webhooks wait in the inbox; the return alone must get it right.
    const back = await get(paid1.location as string);
    expect(new URL(back.location as string).searchParams.get("rst")).toBe("1");
    const payment = await h.gateway.store.findPaymentByPid(pid);
    const charges = await chargesOf(pid);
    expect(charges).toHaveLength(2);
    const oldest = [...charges].sort((x, y) =>
      String((x as { created_on?: string }).created_on).localeCompare(String((y as { created_on?: string }).created_on)),
    )[0];
    expect(payment?.chargeId).toBe(oldest?.id);
    expect(await refundedAmounts(pid)).toEqual([1500]);
    await h.drain();
    expect(await refundedAmounts(pid)).toEqual([1500]);
    expect(kickbacksFor(no)).toHaveLength(1);
  });

  it("two tabs paid and both webhooks handled in one batch: one is the payment, the other is given back", async () => {
    const { no, url } = entryUrl("CAPTURE");
    const entry = await get(url, REFERER);
    const pid = pidOf(entry.location as string);
    const [tab1, tab2] = [await get(entry.location as string), await get(entry.location as string)];
    await payOnForm(tab1, { number: "4000020000000000" });
    await payOnForm(tab2, { number: "4000020000000000" });
    for (const c of await chargesOf(pid)) await h.waitForWebhook(c.id, "charge_finished");
    await h.drain();
    expect(await refundedAmounts(pid)).toEqual([1500]);
    expect(kickbacksFor(no).map((k) => kickbackFields(k.rawQuery).get("rst"))).toEqual(["1"]);
  });

  it("a charge made on a form long after the payment ended is given back when UnivaPay reports it", async () => {
    const { no, url } = entryUrl("CAPTURE");
    const entry = await get(url, REFERER);
    const pid = pidOf(entry.location as string);
    const form = await get(entry.location as string);
    // Expired, and watched for as long again: closed.
    h.advance(PAST_TTL_MS);
    await h.gateway.reconciler.tick();
    h.advance(PAST_TTL_MS);
    await h.gateway.reconciler.tick();
    await h.drain();
    expect(kickbacksFor(no).map((k) => kickbackFields(k.rawQuery).get("ec"))).toEqual(["ER000GOP005"]);
    const paid = await payOnForm(form, { number: "4000020000000000" });
    const charge = (await chargesOf(pid))[0] as { id: string };
    await h.waitForWebhook(charge.id, "charge_finished");
    await h.drain();
    expect(await refundedAmounts(pid)).toEqual([1500]);
    const hop = await settleReturn(paid.location as string);
    expect(hop.location).toContain("ec=ER000GOP005");
    expect(kickbacksFor(no)).toHaveLength(1);
  });

  it("the same order checked out again with a changed cart replaces the unpaid payment; the old form's charge is given back", async () => {
    order += 1;
    const base = `${h.gateway.url}/payment.aspx?no=${order}&sod=S${order}&sid=${h.sid}&svid=1&ptype=8&job=CAPTURE&em=shopper@example.com&sucd=p_return`;
    const first = await get(`${base}&siam1=1500`, REFERER);
    const oldPid = pidOf(first.location as string);
    const oldForm = await get(first.location as string);
    const second = await get(`${base}&siam1=2000`, REFERER);
    expect(second.status).toBe(302);
    const newPid = pidOf(second.location as string);
    expect(newPid).not.toBe(oldPid);
    await h.drain();
    const ofOld = h.receiver.received.filter((k) => kickbackFields(k.rawQuery).get("pid") === oldPid);
    expect(ofOld.map((k) => `${kickbackFields(k.rawQuery).get("rst")} ${kickbackFields(k.rawQuery).get("ec")}`)).toEqual(["2 ER000GOP006"]);
    // The shopper pays the old form anyway: given back; the new one pays normally.
    const paidOld = await payOnForm(oldForm, { number: "4000020000000000" });
    await settleReturn(paidOld.location as string);
    await h.drain();
    expect(await refundedAmounts(oldPid)).toEqual([1500]);
    const paidNew = await payOnForm(await get(second.location as string), { number: "4000020000000000" });
    const back = await get(paidNew.location as string);
    expect(Object.fromEntries(new URL(back.location as string).searchParams)).toMatchObject({ pid: newPid, rst: "1", ta: "2000" });
  });

  it("refuses a sucd that is not registered even when it names an Object property", async () => {
    const page = await get(entryUrl("CAPTURE").url.replace("sucd=p_return", "sucd=constructor"), REFERER);
    expect(page.status).toBe(400);
    expect(page.body).toContain("ER000GRQ015");
  });

  it("a browser POST the gateway cannot read (not a form) gets a shopper page, not a legacy body", async () => {
    const { url } = entryUrl("CAPTURE");
    const res = await axios.post(url, "{}", { headers: { "Content-Type": "application/json", ...REFERER }, validateStatus: () => true, responseType: "text" });
    expect(res.status).toBe(400);
    expect(String(res.headers["content-type"])).toMatch(/^text\/html/);
    expect(String(res.data)).toContain("ER000GRQ007");
  });

  it("a SALES sent with ptype=8 is still the shop's server: a legacy body, not a page", async () => {
    const r = await sendRaw(h.gateway.url, "GET", Buffer.from(`/payment.aspx?sid=${h.sid}&svid=1&ptype=8&job=SALES&pid=12345678`));
    expect(r.body.toString("latin1")).toMatch(/^rst=2&ec=ER000D41S61/);
  });

  it("a shopper who never pays: the payment expires with an rst=2 kickback (GOP005); the same order sent again is a new payment", async () => {
    const { no, url } = entryUrl("CAPTURE");
    const first = await get(url, REFERER);
    const pid = /legacy-pid:"(\d{8})"/.exec(decodeURIComponent(first.location as string))?.[1] as string;
    h.advance(PAST_TTL_MS);
    await h.gateway.reconciler.tick();
    await h.drain();
    const kbs = kickbacksFor(no);
    expect(kbs).toHaveLength(1);
    expect(Object.fromEntries(kickbackFields((kbs[0] as { rawQuery: Buffer }).rawQuery))).toMatchObject({ pid, rst: "2", ec: "ER000GOP005", no });
    expect((await h.gateway.store.findPaymentByPid(pid))?.state).toBe("failed");
    const second = await get(url, REFERER);
    const pid2 = /legacy-pid:"(\d{8})"/.exec(decodeURIComponent(second.location as string))?.[1];
    expect(pid2).toBeDefined();
    expect(pid2).not.toBe(pid);
  });

  it("a reload of the shop's redirect while unpaid sends the shopper to the same payment's form", async () => {
    const { url } = entryUrl("CAPTURE");
    const a = await get(url, REFERER);
    const b = await get(url, REFERER);
    expect(b.location).toBe(a.location);
  });
});
