/**
 * The drop-in UpcTokenPaymentMini.js in a real browser (Debian's Chromium, driven by
 * playwright-core): a merchant checkout page written like the EC-CUBE plugin's card page loads the
 * gateway's script, getMember turns the card into a token, the page posts only the token to its
 * shop, and the shop's server sends memberpay.aspx with it. Each final page is kept as a
 * screenshot under test-artifacts/token-script/.
 */
import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { startHarness, type Harness } from "../support/gateway-harness";
import { startTokenShop, type TokenShop } from "../support/token-shop";
import { field, replyFields } from "../support/raw-http";

jest.setTimeout(90_000);

const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";
const rsaKeyPem = () => String(generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }));
const ARTIFACTS = join(__dirname, "../../test-artifacts/token-script");

describe("UpcTokenPaymentMini.js in Chromium", () => {
  let h: Harness;
  let shop: TokenShop;
  let browser: Browser;
  const tokenCalls: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
    mkdirSync(ARTIFACTS, { recursive: true });
    const settings = { origins: [] as string[], fallbackEmail: "orders@shop.example.jp" };
    h = await startHarness({
      db: "sqlite",
      sid: "300001",
      env: { TOKEN_RSA_PRIVATE_KEYS: rsaKeyPem(), TOKEN_RATE_PER_IP_PER_MIN: "1000" },
      tokenScript: settings,
    });
    shop = await startTokenShop(h.gateway.url, h.sid);
    // The shop's port is known only now: its origin registered as the merchants file would have it.
    settings.origins.push(shop.origin);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  });
  afterAll(async () => {
    await browser?.close();
    await shop?.close();
    await h?.close();
  });

  async function checkout(
    name: string,
    card: { no: string; month: string; year: string; cvv: string },
    opts: { origin?: string; tamper?: boolean } = {},
  ): Promise<Page> {
    const page = await browser.newPage();
    page.on("request", (r) => {
      if (r.url().includes("/API/_Token/")) tokenCalls.push(r.url());
    });
    if (opts.tamper) {
      // A forged seal: the request leaves the page with its seal changed.
      await page.route("**/API/_Token/**", (route) => {
        const u = new URL(route.request().url());
        u.searchParams.set("seal", "0".repeat(40));
        return route.continue({ url: u.toString() });
      });
    }
    await page.goto(`${opts.origin ?? shop.origin}/checkout`);
    await page.fill("#card_no", card.no);
    await page.fill("#exp_month", card.month);
    await page.fill("#exp_year", card.year);
    await page.fill("#cvv", card.cvv);
    await page.fill("#first", "TARO");
    await page.fill("#last", "YAMADA");
    await page.click("#order");
    await page.waitForSelector("#result, #error:not(:empty)", { timeout: 30_000 });
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
    return page;
  }
  const text = (page: Page, sel: string) => page.textContent(sel).then((t) => t ?? "");

  it("a new card pays end to end: token in the browser, memberpay from the shop, rst=1 and its kickback", async () => {
    const page = await checkout("success", { no: "4000020000000000", month: "12", year: "2030", cvv: "123" });
    expect(await text(page, "#rst")).toBe("1");
    expect(await text(page, "#card")).toBe("************0000");
    const pid = await text(page, "#pid");
    expect(pid).toMatch(/^\d{8}$/);
    await h.drain();
    const kick = h.receiver.received.map((k) => replyFields(k.rawQuery)).find((k) => field(k, "pid") === pid);
    expect(kick && [field(kick, "rst"), field(kick, "job"), field(kick, "sod")]).toEqual(["1", "CAPTURE", "WEB1"]);
    // The card number went to the gateway only, never to the shop.
    expect(shop.seen.join("\n")).not.toContain("4000020000000000");
    await page.close();
  });

  it("a declining card gets its token; the decline comes on memberpay", async () => {
    const page = await checkout("decline", { no: "4111111111111111", month: "12", year: "2030", cvv: "123" });
    expect(await text(page, "#rst")).toBe("2");
    expect(await text(page, "#ec")).toMatch(/^ER000T52G/);
    await page.close();
  });

  it.each([
    ["bad-number", { no: "1234", month: "12", year: "2030", cvv: "123" }, "102", "カード番号の桁数が正しくありません"],
    ["expired", { no: "4000020000000000", month: "01", year: "2020", cvv: "123" }, "114", "有効期限が切れています"],
  ])("a card the script refuses (%s) shows getResultCodeDetail's message and sends nothing", async (name, card, code, message) => {
    const before = tokenCalls.length;
    const page = await checkout(name, card);
    expect(await text(page, "#error")).toBe(`Error: ${message} (${code})`);
    expect(tokenCalls.length).toBe(before);
    await page.close();
  });

  it("a forged seal is refused by the gateway (901), and nothing is charged", async () => {
    const page = await checkout("forged-seal", { no: "4000020000000000", month: "12", year: "2030", cvv: "123" }, { tamper: true });
    expect(await text(page, "#error")).toContain("(901)");
    await page.close();
  });

  it("a page from an origin the merchant did not register is refused (902)", async () => {
    const page = await checkout("foreign-origin", { no: "4000020000000000", month: "12", year: "2030", cvv: "123" }, { origin: shop.otherOrigin });
    expect(await text(page, "#error")).toContain("(902)");
    await page.close();
  });
});
