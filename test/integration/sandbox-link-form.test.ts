/**
 * The sandbox's link form (`/forms/{formId}?appId=…`) over raw HTTP, as a browser would drive it
 * (redirect: "manual", urlencoded posts): the page, paying with the test cards, auth only, 3-D
 * Secure, a double submit, the cancel link, refusals as Japanese HTML pages, and no response ever
 * carrying the card number. Charges are looked up through the API's metadata search, as the
 * gateway does.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { linkFormIdOf } from "../../src/sandbox/link-form/link-form-id";
import { createManualClock, createSandbox, type Sandbox, type SandboxCredentials } from "../../src/sandbox/sandbox";
import { createSandboxClient, type SandboxClient } from "../../src/sandbox/testing/sandbox-client";
import { startWebhookReceiver, type WebhookReceiver } from "../../src/sandbox/testing/webhook-receiver";

type Json = Record<string, unknown>;

const OK_CARD = "4000020000000000";
const DECLINED_CARD = "4111111111111111";
/** Charges succeed (only its refunds fail): keeps 3-D Secure failures off OK_CARD's card lock count. */
const OTHER_OK_CARD = "4242424242424242";
const CVV = "987";
const SHOP = "https://shop.example/result";

const cardFields = (): Record<string, string> => ({
  cardNumber: OK_CARD,
  expMonth: "12",
  expYear: "2099",
  cvv: CVV,
  cardholder: "TARO YAMADA",
  email: "taro@example.com",
});

interface Page {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

describe("sandbox link form", () => {
  let sandbox: Sandbox;
  let base: string;
  let api: SandboxClient;
  let receiver: WebhookReceiver;
  /** Every body the form answered, checked for card numbers at the end. */
  const bodies: string[] = [];
  let seq = 0;

  beforeAll(async () => {
    sandbox = createSandbox({ rateLimits: false, settleDelayMs: 20 });
    base = (await sandbox.listen(0)).url;
    api = createSandboxClient(base, sandbox.demo);
    receiver = await startWebhookReceiver([200]);
    const hook = await api.request("POST", "/webhooks", { body: { url: receiver.url, triggers: ["charge_finished"] } });
    expect(hook.status).toBe(201);
  });
  afterAll(async () => {
    await sandbox.close();
    await receiver.close();
  });

  async function http(url: string, init: RequestInit = {}): Promise<Page> {
    const res = await fetch(url, { ...init, redirect: "manual" });
    const text = await res.text();
    bodies.push(text);
    return { status: res.status, headers: res.headers, text };
  }

  /** A unique legacy order for each test, so the metadata search finds only its charges. */
  function order(): { pid: string; metadata: string } {
    seq += 1;
    const pid = `${Date.now()}${seq}`;
    return { pid, metadata: `legacy-pid:"${pid}",legacy-sid:"100001"` };
  }

  function formUrl(query: Record<string, string>, creds: SandboxCredentials = sandbox.demo): string {
    return `${base}/forms/${creds.linkFormId}?${new URLSearchParams({ appId: creds.appToken, ...query })}`;
  }

  const redirects = { successRedirectUrl: `${SHOP}/ok`, failureRedirectUrl: `${SHOP}/ng`, pendingRedirectUrl: `${SHOP}/wait` };

  function attr(html: string, pattern: RegExp): string {
    const m = pattern.exec(html);
    if (!m?.[1]) throw new Error(`no ${pattern} in page: ${html.slice(0, 400)}`);
    return m[1].replace(/&#38;/g, "&").replace(/&#34;/g, '"').replace(/&#39;/g, "'");
  }
  const nonceOf = (html: string): string => attr(html, /name="nonce" value="([^"]+)"/);
  const actionOf = (html: string): string => `${base}${attr(html, /<form method="post" action="([^"]+)"/)}`;

  function post(url: string, fields: Record<string, string>): Promise<Page> {
    return http(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields).toString() });
  }

  const card = (overrides: Record<string, string> = {}): Record<string, string> => ({
    cardNumber: OK_CARD,
    expMonth: "12",
    expYear: "30",
    cvv: CVV,
    cardholder: "TARO YAMADA",
    email: "taro@example.com",
    ...overrides,
  });

  /** GET the form, then submit the card fields with the page's own nonce and action. */
  async function pay(query: Record<string, string>, fields: Record<string, string> = card()): Promise<Page> {
    const form = await http(formUrl(query));
    expect(form.status).toBe(200);
    return post(actionOf(form.text), { nonce: nonceOf(form.text), ...fields });
  }

  async function chargesOf(pid: string): Promise<Json[]> {
    const res = await api.request("GET", `/stores/${sandbox.demo.storeId}/charges?metadata=${encodeURIComponent(`legacy-pid:${pid}`)}`);
    expect(res.status).toBe(200);
    return res.body?.["items"] as Json[];
  }

  async function onlyCharge(pid: string): Promise<Json> {
    const list = await chargesOf(pid);
    expect(list).toHaveLength(1);
    return list[0] as Json;
  }

  it("renders a Japanese card form for the store, keeping the query in its action", async () => {
    const o = order();
    const url = formUrl({ amount: "1200", metadata: o.metadata, emailAddress: "hanako@example.com", ...redirects });
    const page = await http(url);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(page.text).toMatch(/^<!DOCTYPE html>\n<html lang="ja">/);
    expect(page.text).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(page.text).toContain("Sandbox demo store");
    expect(page.text).toContain('<p class="amount" id="amount">1,200円</p>');
    for (const id of ["cardNumber", "expMonth", "expYear", "cvv", "cardholder", "email"]) {
      expect(page.text).toContain(`<input id="${id}" name="${id}"`);
    }
    expect(page.text).toMatch(/<button type="submit" id="pay">支払う<\/button>/);
    expect(attr(page.text, /id="cancel" href="([^"]+)">キャンセル</)).toBe(`${SHOP}/ng`);
    expect(attr(page.text, /id="email" name="email"[^>]* value="([^"]+)"/)).toBe("hanako@example.com");
    expect(actionOf(page.text)).toBe(url);
    expect(page.text).not.toMatch(/<script|https?:\/\/(?!shop\.example)/);
    expect(await chargesOf(o.pid)).toHaveLength(0);
  });

  it("pays with the success card: 303 to successRedirectUrl as given, a successful charge with the metadata, a webhook", async () => {
    const o = order();
    const res = await pay({ amount: "1200", metadata: o.metadata, univapayReferenceId: `REF-${o.pid}`, ...redirects });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`${SHOP}/ok`);
    const charge = await onlyCharge(o.pid);
    expect(charge).toMatchObject({
      status: "successful",
      requested_amount: 1200,
      requested_currency: "JPY",
      charged_amount: 1200,
      metadata: { "legacy-pid": o.pid, "legacy-sid": "100001", "univapay-reference-id": `REF-${o.pid}` },
    });
    expect(charge).not.toHaveProperty("three_ds");
    const token = await api.request("GET", `/stores/${sandbox.demo.storeId}/tokens/${String(charge["transaction_token_id"])}`);
    expect(token.body).toMatchObject({ type: "one_time", email: "taro@example.com", data: { card: { last_four: "0000", cardholder: "TARO YAMADA" } } });
    const hooks = await waitForWebhook(String(charge["id"]));
    expect(hooks.body).toMatchObject({ event: "charge_finished", data: { id: charge["id"], status: "successful" } });
  });

  it("sends a declined card to failureRedirectUrl and leaves a failed charge", async () => {
    const o = order();
    const res = await pay({ amount: "500", metadata: o.metadata, ...redirects }, card({ cardNumber: DECLINED_CARD }));
    expect([res.status, res.headers.get("location")]).toEqual([303, `${SHOP}/ng`]);
    const charge = await onlyCharge(o.pid);
    expect(charge).toMatchObject({ status: "failed", error: { code: 309 } });
    expect((await waitForWebhook(String(charge["id"]))).body).toMatchObject({ data: { status: "failed" } });
  });

  it("authorizes only with auth=true (capture false), case-insensitive currency", async () => {
    const o = order();
    const res = await pay({ amount: "800", currency: "jpy", auth: "true", metadata: o.metadata, ...redirects });
    expect([res.status, res.headers.get("location")]).toEqual([303, `${SHOP}/ok`]);
    expect(await onlyCharge(o.pid)).toMatchObject({ status: "authorized", requested_currency: "JPY", charged_amount: 800 });
  });

  it("appends the metadata to the redirect with showRedirectMetadata=true", async () => {
    const o = order();
    const res = await pay({ amount: "100", metadata: o.metadata, univapayReferenceId: "R 1", showRedirectMetadata: "true", ...redirects });
    const location = new URL(res.headers.get("location") ?? "");
    expect(`${location.origin}${location.pathname}`).toBe(`${SHOP}/ok`);
    expect(Object.fromEntries(location.searchParams)).toEqual({ "legacy-pid": o.pid, "legacy-sid": "100001", "univapay-reference-id": "R 1" });
  });

  it("takes paymentMethods[]=card and paymentMethods=visa, refuses a brand the list leaves out", async () => {
    const a = order();
    expect((await pay({ amount: "100", "paymentMethods[]": "card", metadata: a.metadata, ...redirects })).status).toBe(303);
    const b = order();
    const refused = await pay({ amount: "100", paymentMethods: "mastercard,jcb", metadata: b.metadata, ...redirects });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain("このカードブランドはご利用いただけません。");
    expect(await chargesOf(b.pid)).toHaveLength(0);
  });

  describe("3-D Secure (threeDsMode force/require)", () => {
    async function challenge(mode: string, o: { metadata: string }, cardNumber = OTHER_OK_CARD): Promise<Page> {
      const res = await pay({ amount: "3000", threeDsMode: mode, metadata: o.metadata, ...redirects }, card({ cardNumber }));
      expect(res.status).toBe(200);
      expect(res.text).toContain("<h1>3Dセキュア認証</h1>");
      for (const id of ['id="threeDsPassword"', 'id="threeDsSubmit"', 'id="threeDsCancel"']) expect(res.text).toContain(id);
      return res;
    }
    const answer = (page: Page, fields: Record<string, string>): Promise<Page> => post(actionOf(page.text), { nonce: nonceOf(page.text), ...fields });

    it("holds the charge awaiting at the challenge, then succeeds with the password", async () => {
      const o = order();
      const page = await challenge("force", o);
      expect(page.text).not.toContain(CVV);
      expect(await onlyCharge(o.pid)).toMatchObject({ status: "awaiting", three_ds: { mode: "force", status: "awaiting" } });
      const res = await answer(page, { threeDsPassword: "password", action: "submit" });
      expect([res.status, res.headers.get("location")]).toEqual([303, `${SHOP}/ok`]);
      expect(await onlyCharge(o.pid)).toMatchObject({ status: "successful", three_ds: { mode: "force", status: "successful" } });
    });

    it("fails the charge with 358 THREE_DS_COULD_NOT_BE_COMPLETED on a wrong password", async () => {
      const o = order();
      const res = await answer(await challenge("require", o), { threeDsPassword: "wrong", action: "submit" });
      expect([res.status, res.headers.get("location")]).toEqual([303, `${SHOP}/ng`]);
      const charge = await onlyCharge(o.pid);
      expect(charge).toMatchObject({
        status: "failed",
        error: { code: 358, details: "THREE_DS_COULD_NOT_BE_COMPLETED" },
        three_ds: { mode: "require", status: "failed" },
      });
      expect((await waitForWebhook(String(charge["id"]))).body).toMatchObject({ event: "charge_finished", data: { error: { code: 358 } } });
    });

    it("fails with 358 when the shopper cancels the challenge, and a second answer changes nothing", async () => {
      const o = order();
      const page = await challenge("force", o);
      const res = await answer(page, { action: "cancel" });
      expect([res.status, res.headers.get("location")]).toEqual([303, `${SHOP}/ng`]);
      const again = await answer(page, { threeDsPassword: "password", action: "submit" });
      expect([again.status, again.headers.get("location")]).toEqual([303, `${SHOP}/ng`]);
      expect(await onlyCharge(o.pid)).toMatchObject({ status: "failed", error: { code: 358 } });
    });

    it("still declines a declined card after a passed challenge", async () => {
      const o = order();
      const res = await answer(await challenge("force", o, DECLINED_CARD), { threeDsPassword: "password", action: "submit" });
      expect(res.headers.get("location")).toBe(`${SHOP}/ng`);
      expect(await onlyCharge(o.pid)).toMatchObject({ status: "failed", error: { code: 309 }, three_ds: { status: "successful" } });
    });

    it("runs no challenge for threeDsMode=skip but records the mode", async () => {
      const o = order();
      const res = await pay({ amount: "100", threeDsMode: "skip", metadata: o.metadata, ...redirects });
      expect(res.status).toBe(303);
      expect(await onlyCharge(o.pid)).toMatchObject({ status: "successful", three_ds: { mode: "skip", status: null } });
    });
  });

  it("makes one charge for a double submit of the same page, and redirects every submit alike", async () => {
    const o = order();
    const form = await http(formUrl({ amount: "1500", metadata: o.metadata, ...redirects }));
    const fields = { nonce: nonceOf(form.text), ...card() };
    const [a, b] = await Promise.all([post(actionOf(form.text), fields), post(actionOf(form.text), fields)]);
    const c = await post(actionOf(form.text), fields);
    for (const r of [a, b, c]) expect([r.status, r.headers.get("location")]).toEqual([303, `${SHOP}/ok`]);
    expect(await onlyCharge(o.pid)).toMatchObject({ status: "successful" });
  });

  it("re-renders the form with Japanese messages on bad input, never echoing the card number or CVV", async () => {
    const o = order();
    const form = await http(formUrl({ amount: "100", metadata: o.metadata, ...redirects }));
    const nonce = nonceOf(form.text);
    const badNumber = "4000020000000001";
    const bad = await post(actionOf(form.text), { nonce, ...card({ cardNumber: badNumber, cardholder: "HANAKO SATO" }) });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("カード番号が正しくありません");
    expect(bad.text).not.toContain(badNumber);
    expect(bad.text).not.toContain(CVV);
    expect(attr(bad.text, /id="cardholder" name="cardholder"[^>]* value="([^"]+)"/)).toBe("HANAKO SATO");
    const missing = await post(actionOf(form.text), { nonce, cardNumber: OK_CARD });
    expect(missing.status).toBe(400);
    for (const m of [
      "有効期限（月）を入力してください",
      "セキュリティコードを入力してください",
      "カード名義を入力してください",
      "メールアドレスを入力してください",
    ]) {
      expect(missing.text).toContain(m);
    }
    const noLastName = await post(actionOf(form.text), { nonce, ...card({ cardholder: "TARO" }) });
    expect(noLastName.status).toBe(400);
    expect(noLastName.text).toContain("姓と名を半角スペースで区切って");
    expect(await chargesOf(o.pid)).toHaveLength(0);
    // The refusals left the page's nonce usable: the corrected form pays.
    const fixed = await post(actionOf(bad.text), { nonce: nonceOf(bad.text), ...card() });
    expect([fixed.status, fixed.headers.get("location")]).toEqual([303, `${SHOP}/ok`]);
    expect(await chargesOf(o.pid)).toHaveLength(1);
  });

  it("answers an unknown nonce with a fresh form and charges nothing", async () => {
    const o = order();
    const url = formUrl({ amount: "100", metadata: o.metadata, ...redirects });
    const res = await post(url, { nonce: "not-a-nonce", ...card() });
    expect(res.status).toBe(400);
    expect(res.text).toContain("フォームの有効期限が切れました");
    expect(nonceOf(res.text)).not.toBe("not-a-nonce");
    expect(await chargesOf(o.pid)).toHaveLength(0);
  });

  it("refuses a nonce posted with another query (an amount changed after rendering)", async () => {
    const o = order();
    const form = await http(formUrl({ amount: "100", metadata: o.metadata, ...redirects }));
    const res = await post(formUrl({ amount: "1", metadata: o.metadata, ...redirects }), { nonce: nonceOf(form.text), ...card() });
    expect(res.status).toBe(400);
    expect(res.text).toContain("フォームの内容が変わりました");
    expect(await chargesOf(o.pid)).toHaveLength(0);
  });

  it("shows result pages when no redirect URL is given; the cancel link then leads to a cancel page", async () => {
    const o = order();
    const form = await http(formUrl({ amount: "100", metadata: o.metadata }));
    const cancel = attr(form.text, /id="cancel" href="([^"]+)"/);
    expect(cancel).toMatch(/^\/forms\/[0-9a-f-]{36}\/cancel\?appId=/);
    const canceled = await http(`${base}${cancel}`);
    expect([canceled.status, canceled.text.includes("お支払いをキャンセルしました")]).toEqual([200, true]);
    expect(await chargesOf(o.pid)).toHaveLength(0);
    const paid = await post(actionOf(form.text), { nonce: nonceOf(form.text), ...card() });
    expect(paid.status).toBe(200);
    expect(paid.text).toContain("<h1>お支払いが完了しました</h1>");
    const declined = await pay({ amount: "100", metadata: order().metadata }, card({ cardNumber: DECLINED_CARD }));
    expect(declined.text).toContain("<h1>お支払いに失敗しました</h1>");
    expect(declined.text).toContain("カード会社によりお支払いが承認されませんでした。");
  });

  it("answers an unknown form, a foreign or invalid appId with a 404 page in Japanese", async () => {
    const other = sandbox.createStore({ name: "Other shop", mode: "test" });
    const pages = [
      await http(`${base}/forms/00000000-0000-4000-8000-000000000000?appId=${sandbox.demo.appToken}&amount=100`),
      await http(`${base}/forms/${sandbox.demo.linkFormId}?appId=${other.appToken}&amount=100`),
      await http(`${base}/forms/${sandbox.demo.linkFormId}?appId=not.a.jwt&amount=100`),
      await http(`${base}/forms/${sandbox.demo.linkFormId}?appId=${sandbox.demo.secret}.${sandbox.demo.appToken}&amount=100`),
      await post(`${base}/forms/${sandbox.demo.linkFormId}?appId=${other.appToken}&amount=100`, { nonce: "x", ...card() }),
      await http(`${base}/forms/${sandbox.demo.linkFormId}/nothing-here`),
    ];
    for (const p of pages) {
      expect(p.status).toBe(404);
      expect(p.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(p.text).toContain('<html lang="ja">');
      expect(p.text).not.toMatch(/"status":|at \w+ \(/);
    }
    expect(pages[0]?.text).toContain("フォームが見つかりません");
  });

  it("answers bad parameters with a 400 page listing each problem", async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{}, "amount（金額）がありません"],
      [{ amount: "0" }, "amount は1以上の整数で指定してください"],
      [{ amount: "12.5" }, "amount は1以上の整数で指定してください"],
      [{ amount: "100", checkout: "token" }, "checkout は payment のみ対応しています"],
      [{ amount: "100", paymentMethods: "konbini" }, "paymentMethods に card を含めてください"],
      [{ amount: "100", paymentMethods: "card,cash" }, "paymentMethods に不明な値があります: cash"],
      [{ amount: "100", metadata: 'legacy-pid:"12' }, "metadata の書式が不正です"],
      [{ amount: "100", metadata: "legacy-pid" }, "metadata の書式が不正です"],
      [{ amount: "100", successRedirectUrl: "javascript:alert(1)" }, "successRedirectUrl は http:// か https:// で始まる URL"],
      [{ amount: "100", threeDsMode: "always" }, "threeDsMode は"],
      [{ amount: "100", auth: "yes" }, "auth は true か false"],
    ];
    for (const [query, message] of cases) {
      const p = await http(formUrl(query));
      expect([p.status, p.text.includes(message)]).toEqual([400, true]);
    }
    const noAppId = await http(`${base}/forms/${sandbox.demo.linkFormId}?amount=100`);
    expect([noAppId.status, noAppId.text.includes("appId")]).toEqual([400, true]);
    const both = await http(formUrl({ amount: "0", checkout: "qr" }));
    expect(both.text).toContain("amount は1以上");
    expect(both.text).toContain("checkout は payment のみ");
  });

  it("works for a store without the PCI permission of POST /tokens (the form is UnivaPay's page)", async () => {
    const store = sandbox.createStore({ name: "Non-PCI shop", mode: "test", pci: false });
    const form = await http(formUrl({ amount: "100", ...redirects }, store));
    expect(form.text).toContain("Non-PCI shop");
    const res = await post(actionOf(form.text), { nonce: nonceOf(form.text), ...card() });
    expect([res.status, res.headers.get("location")]).toEqual([303, `${SHOP}/ok`]);
  });

  it("gives every store its own stable form id, in createStore, the demo and POST /_sandbox/stores", async () => {
    expect(sandbox.demo.linkFormId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(sandbox.demo.linkFormId).toBe(linkFormIdOf(sandbox.demo.storeId));
    const res = await fetch(`${base}/_sandbox/stores`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Admin shop", mode: "test" }),
    });
    const created = (await res.json()) as SandboxCredentials;
    expect(created.linkFormId).toBe(linkFormIdOf(created.storeId));
    expect(created.linkFormId).not.toBe(sandbox.demo.linkFormId);
  });

  it("never sent a card number or the CVV in any page", () => {
    expect(bodies.length).toBeGreaterThan(40);
    for (const body of bodies) {
      for (const secret of [OK_CARD, DECLINED_CARD, OTHER_OK_CARD, `value="${CVV}"`]) expect(body).not.toContain(secret);
    }
  });

  async function waitForWebhook(chargeId: string): Promise<{ body: Json }> {
    for (let n = 1; ; n++) {
      const list = await receiver.waitFor(n);
      const hit = list.find((w) => (w.body["data"] as Json | undefined)?.["id"] === chargeId);
      if (hit) return hit;
    }
  }
});

describe("sandbox link form timing and restarts", () => {
  it("sends the shopper to pendingRedirectUrl when the charge is still pending after 5 s", async () => {
    const sandbox = createSandbox({ rateLimits: false, settleDelayMs: 60_000 });
    try {
      const base = (await sandbox.listen(0)).url;
      const url = `${base}/forms/${sandbox.demo.linkFormId}?${new URLSearchParams({ appId: sandbox.demo.appToken, amount: "100", pendingRedirectUrl: `${SHOP}/wait` })}`;
      const form = await (await fetch(url)).text();
      const nonce = /name="nonce" value="([^"]+)"/.exec(form)?.[1] ?? "";
      const started = Date.now();
      const res = await fetch(url, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ nonce, ...cardFields() }),
      });
      expect([res.status, res.headers.get("location")]).toEqual([303, `${SHOP}/wait`]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(4900);
    } finally {
      await sandbox.close();
    }
  });

  it("keeps form ids and a charge awaiting 3-D Secure across a restart; the charge still fails with 358 after 15 min", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sandbox-link-form-"));
    const open: Sandbox[] = [];
    const start = (): Sandbox => {
      const s = createSandbox({ stateFile: join(dir, "state.jsonl"), clock: createManualClock(), rateLimits: false, settleDelayMs: 0 });
      open.push(s);
      return s;
    };
    try {
      const a = start();
      const shop = a.createStore({ name: "Kept shop", mode: "test" });
      const base = (await a.listen(0)).url;
      const url = `${base}/forms/${shop.linkFormId}?${new URLSearchParams({ appId: shop.appToken, amount: "100", threeDsMode: "force", metadata: 'legacy-pid:"kept"' })}`;
      const form = await (await fetch(url)).text();
      const challenge = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ nonce: /name="nonce" value="([^"]+)"/.exec(form)?.[1] ?? "", ...cardFields() }),
      });
      expect((await challenge.text()).includes("3Dセキュア認証")).toBe(true);
      await a.close();

      const b = start();
      expect(b.demo.linkFormId).toBe(a.demo.linkFormId);
      const baseB = (await b.listen(0)).url;
      const page = await fetch(`${baseB}/forms/${shop.linkFormId}?${new URLSearchParams({ appId: shop.appToken, amount: "100" })}`);
      expect([page.status, (await page.text()).includes("Kept shop")]).toEqual([200, true]);
      const api = createSandboxClient(baseB, shop);
      const find = async (): Promise<Json | undefined> =>
        ((await api.request("GET", `/stores/${shop.storeId}/charges?metadata=legacy-pid:kept`)).body?.["items"] as Json[])[0];
      expect(await find()).toMatchObject({ status: "awaiting", three_ds: { mode: "force", status: "awaiting" } });
      await b.clock.advance(14 * 60_000);
      expect(await find()).toMatchObject({ status: "awaiting" });
      await b.clock.advance(60_000);
      expect(await find()).toMatchObject({ status: "failed", error: { code: 358 }, three_ds: { status: "failed" } });
    } finally {
      for (const s of open) await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
