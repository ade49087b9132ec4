/**
 * The link method in a real browser (Debian's Chromium, driven by playwright-core): a shop page
 * built like the EC-CUBE plugin's link card method → its 302 to payment.aspx (ptype 8) → the
 * sandbox's link form → the gateway's return → the shop's complete or back page, with `no` and the
 * result; the kickback once. Also a decline, AUTH then SALES, 3-D Secure (ptype 4), a foreign
 * Referer, a reloaded return, and a shopper who closes the tab on the form. Each final page is
 * kept as a screenshot under test-artifacts/hosted-page/.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { startHarness, type Harness } from "../support/gateway-harness";
import { startLinkShop, type LinkShop } from "../support/link-shop";
import { field, replyFields, sendRaw } from "../support/raw-http";

jest.setTimeout(120_000);

const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";
const ARTIFACTS = join(__dirname, "../../test-artifacts/hosted-page");
const TTL_MS = 60_000;
// Past the link's life and the reconciler's staleness (RECONCILE_STALE_AFTER_MS, 120 s).
const PAST_TTL_MS = TTL_MS + 130_000;

describe("the link method in Chromium", () => {
  let h: Harness;
  let shop: LinkShop;
  let browser: Browser;
  const sourceOrigins: string[] = [];
  const returnUrls: Record<string, string> = {};
  const backUrls: Record<string, string> = {};

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
    mkdirSync(ARTIFACTS, { recursive: true });
    h = await startHarness({
      db: "sqlite",
      sid: "400001",
      hostedPage: { sourceOrigins, returnUrls, backUrls },
      env: { HOSTED_LINK_TTL_MS: String(TTL_MS) },
    });
    shop = await startLinkShop(h.gateway.url, h.sid);
    // The shop's port is known only now: registered as the merchants file would have it.
    sourceOrigins.push(shop.origin);
    returnUrls["p_return"] = `${shop.origin}/upc_payment_plugin_complete`;
    backUrls["p_return"] = `${shop.origin}/upc_payment_back`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  });
  afterAll(async () => {
    await browser?.close();
    await shop?.close();
    await h?.close();
  });

  const kickbacks = (no: string) => h.receiver.received.filter((k) => new URLSearchParams(k.rawQuery.toString("latin1")).get("no") === no);
  const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

  /** The shop's confirm page → 注文する → the gateway → UnivaPay's (the sandbox's) form. */
  async function toForm(opts: { job?: string; ptype?: string; origin?: string } = {}): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`${opts.origin ?? shop.origin}/shopping/confirm?job=${opts.job ?? "CAPTURE"}&ptype=${opts.ptype ?? "8"}&amount=1500`);
    await Promise.all([page.waitForLoadState("load"), page.click("#order")]);
    return page;
  }
  async function typeCard(page: Page, number: string): Promise<void> {
    await page.waitForSelector("#cardNumber");
    await page.fill("#cardNumber", number);
    if (await page.$("#exp")) await page.fill("#exp", "12/30");
    else {
      const month = await page.$("#expMonth");
      if (month && (await month.evaluate((e) => e.tagName)) === "SELECT") await page.selectOption("#expMonth", "12");
      else await page.fill("#expMonth", "12");
      const year = await page.$("#expYear");
      if (year && (await year.evaluate((e) => e.tagName)) === "SELECT") await page.selectOption("#expYear", "2030");
      else await page.fill("#expYear", "2030");
    }
    await page.fill("#cvv", "123");
    await page.fill("#cardholder", "TARO YAMADA");
    const email = await page.$("#email");
    if (email && !(await email.inputValue())) await page.fill("#email", "shopper@example.com");
  }
  async function pay(page: Page, number: string): Promise<void> {
    await typeCard(page, number);
    await page.click("#pay");
  }
  const fieldOf = async (page: Page, name: string) => (await page.textContent(`#f-${name}`)) ?? "";

  it("pays with 4000020000000000 and lands on the shop's complete page with no and rst=1; one kickback", async () => {
    const page = await toForm();
    expect(new URL(page.url()).pathname).toBe(`/forms/${h.merchant.hostedPage?.formId}`);
    await pay(page, "4000020000000000");
    await page.waitForSelector("#complete", { timeout: 30_000 });
    await shot(page, "paid");
    const no = (await page.textContent("#no")) ?? "";
    expect(no).not.toBe("");
    expect(await fieldOf(page, "rst")).toBe("1");
    expect(await fieldOf(page, "ec")).toBe("ER000000000");
    expect(await fieldOf(page, "job")).toBe("CAPTURE");
    const returnUrl = shop.seen.find((u) => u.startsWith("/upc_payment_plugin_complete") && u.includes(`no=${no}`));
    expect(returnUrl).toBeDefined();
    // The shopper reloads the shop's page and comes back through the return twice more.
    await page.goBack();
    await page.waitForLoadState("load");
    await page.reload();
    await h.drain();
    await h.gateway.reconciler.tick();
    await h.drain();
    expect(kickbacks(no)).toHaveLength(1);
    expect(new URLSearchParams(kickbacks(no)[0]?.rawQuery.toString("latin1")).get("rst")).toBe("1");
    await page.close();
  });

  it("a declined card (4111111111111111) goes back to the shop's cart with rst=2; one kickback rst=2", async () => {
    const page = await toForm();
    await pay(page, "4111111111111111");
    await page.waitForSelector("#cart", { timeout: 30_000 });
    await shot(page, "declined");
    const no = (await page.textContent("#no")) ?? "";
    expect(await fieldOf(page, "rst")).toBe("2");
    await h.drain();
    expect(kickbacks(no).map((k) => new URLSearchParams(k.rawQuery.toString("latin1")).get("rst"))).toEqual(["2"]);
    await page.close();
  });

  it("AUTH on the form, then SALES by the returned pid from the shop's server", async () => {
    const page = await toForm({ job: "AUTH" });
    await pay(page, "4000020000000000");
    await page.waitForSelector("#complete", { timeout: 30_000 });
    await shot(page, "auth");
    expect(await fieldOf(page, "job")).toBe("AUTH");
    const pid = await fieldOf(page, "pid");
    const sales = replyFields((await sendRaw(h.gateway.url, "GET", Buffer.from(`/payment.aspx?sid=${h.sid}&svid=1&ptype=1&rt=4&job=SALES&pid=${pid}`))).body);
    expect(field(sales, "rst")).toBe("1");
    expect((await h.gateway.store.findPaymentByPid(pid))?.state).toBe("captured");
    await page.close();
  });

  it("3-D Secure (ptype 4): the challenge on the form, then the shop's complete page", async () => {
    const page = await toForm({ ptype: "4" });
    expect(new URL(page.url()).searchParams.get("threeDsMode")).toBe("force");
    await pay(page, "4000020000000000");
    await page.waitForSelector("#threeDsPassword", { timeout: 30_000 });
    await shot(page, "3ds-challenge");
    await page.fill("#threeDsPassword", "password");
    await page.click("#threeDsSubmit");
    await page.waitForSelector("#complete", { timeout: 30_000 });
    await shot(page, "3ds-paid");
    expect(await fieldOf(page, "rst")).toBe("1");
    await page.close();
  });

  it("3-D Secure failed: back to the cart with rst=2", async () => {
    const page = await toForm({ ptype: "4" });
    await pay(page, "4000020000000000");
    await page.waitForSelector("#threeDsPassword", { timeout: 30_000 });
    await page.fill("#threeDsPassword", "wrong");
    await page.click("#threeDsSubmit");
    await page.waitForSelector("#cart", { timeout: 30_000 });
    await shot(page, "3ds-failed");
    expect(await fieldOf(page, "rst")).toBe("2");
    await page.close();
  });

  it("a shopper who cancels on the form goes back to the shop's cart; nothing charged, the payment still open", async () => {
    const page = await toForm();
    const pid = /legacy-pid:"(\d{8})"/.exec(new URL(page.url()).searchParams.get("metadata") ?? "")?.[1] as string;
    await page.waitForSelector("#cancel");
    await page.click("#cancel");
    await page.waitForSelector("#cart", { timeout: 30_000 });
    await shot(page, "canceled");
    expect(await fieldOf(page, "no")).not.toBe("");
    expect(await page.$("#f-rst")).toBeNull();
    expect((await h.listCharges()).some((c) => c.metadata["legacy-pid"] === pid)).toBe(false);
    expect((await h.gateway.store.findPaymentByPid(pid))?.state).toBe("requested");
    await page.close();
  });

  it("a shop on an unregistered origin gets the gateway's P06P07 page; nothing is charged", async () => {
    const before = (await h.listCharges()).length;
    const page = await toForm({ origin: shop.otherOrigin });
    await page.waitForSelector("#rejected");
    await shot(page, "foreign-referer");
    expect(await page.textContent("#ec")).toBe("ER000P06P07");
    expect(await page.getAttribute("html", "lang")).toBe("ja");
    expect((await h.listCharges()).length).toBe(before);
    await page.close();
  });

  it("a shopper who closes the tab on the form: the payment expires with an rst=2 kickback (GOP005)", async () => {
    const page = await toForm();
    await page.waitForSelector("#cardNumber");
    await shot(page, "form-left-open");
    const meta = new URL(page.url()).searchParams.get("metadata") ?? "";
    const pid = /legacy-pid:"(\d{8})"/.exec(meta)?.[1] as string;
    await page.close();
    h.advance(PAST_TTL_MS);
    await h.gateway.reconciler.tick();
    await h.drain();
    const kb = h.receiver.received.find((k) => new URLSearchParams(k.rawQuery.toString("latin1")).get("pid") === pid);
    expect(kb).toBeDefined();
    const q = new URLSearchParams(kb?.rawQuery.toString("latin1"));
    expect(q.get("rst")).toBe("2");
    expect(q.get("ec")).toBe("ER000GOP005");
  });
});
