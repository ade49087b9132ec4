/**
 * Configuration problems stop start-up before any side effect (no database file, no listening
 * socket), with a message that says what to change; a forgotten variable never turns production
 * into the demo; merchant credentials are checked against the API before they are served.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import axios from "axios";
import { loadConfig } from "../../src/config/config";
import { verifyMerchants } from "../../src/config/verify-merchants";
import { isAppError } from "../../src/errors/app-error";
import { startGateway, type Gateway } from "../../src/gateway";
import { createLogger, Secret } from "../../src/logging/logger";
import type { Merchant } from "../../src/config/merchants";
import { createSandbox, type Sandbox } from "../../src/sandbox/sandbox";
import { insertPayment } from "../contract/store-builders";
import { freePort } from "../support/gateway-process";
import { field, replyFields, sendRaw } from "../support/raw-http";

const silent = createLogger({ level: "silent" });
const SECRET = "startup-test-secret-0123456789abcdef";
const dbFile = () => join(tmpdir(), `gw-startup-${randomBytes(6).toString("hex")}`, "g.sqlite");
const base = (file: string) => ({ PORT: "0", HOST: "127.0.0.1", ADMIN_PORT: "0", SANDBOX_STATE_FILE: "", DATABASE_URL: `sqlite:${file}` });

async function refusal(env: Record<string, string>, merchants: Merchant[] = []) {
  const file = dbFile();
  let err: unknown;
  try {
    const g = await startGateway(loadConfig({ ...base(file), ...env }), { logger: silent, merchants });
    await g.close();
  } catch (e) {
    err = e;
  }
  return { err, dbCreated: existsSync(file) };
}

const messages = (err: unknown) => (isAppError(err) ? err.details.map((d) => `${d.path}: ${d.message}`).join("\n") : String(err));

describe("start-up checks", () => {
  it("refuses a loopback demo kickback URL unless private networks are allowed, saying how", async () => {
    const { err, dbCreated } = await refusal({ DEMO_KICKBACK_URL: "http://localhost:3000/kickback" });
    expect(isAppError(err) && err.code).toBe("config_invalid");
    expect(messages(err)).toContain("KICKBACK_ALLOW_PRIVATE_NETWORKS=true");
    expect(dbCreated).toBe(false);
  });

  it("refuses to run against a real API without merchants", async () => {
    const { err, dbCreated } = await refusal({ UNIVAPAY_BASE_URL: "https://api.example.invalid", GATEWAY_SECRET: SECRET });
    expect(isAppError(err) && err.details[0]?.path).toBe("MERCHANTS_FILE");
    expect(dbCreated).toBe(false);
  });

  it("never serves a merchants file against the embedded sandbox: a missing UNIVAPAY_BASE_URL is an error", () => {
    expect(() => loadConfig({ MERCHANTS_FILE: "merchants.yaml", GATEWAY_SECRET: SECRET })).toThrow(/UNIVAPAY_BASE_URL: required outside demo mode/);
    expect(() => loadConfig({ MERCHANTS_FILE: "merchants.yaml", DEMO: "true" })).toThrow(/DEMO: DEMO=true runs the embedded sandbox/);
    expect(() => loadConfig({ DEMO: "false" })).toThrow(/MERCHANTS_FILE: DEMO=false but no merchants/);
    expect(loadConfig({}).demo).toBe(true);
    expect(loadConfig({ MERCHANTS_FILE: "m.yaml", UNIVAPAY_BASE_URL: "https://api.univapay.com", GATEWAY_SECRET: SECRET }).demo).toBe(false);
  });

  it("requires GATEWAY_SECRET outside the demo, and lists it with every other problem", () => {
    expect(() => loadConfig({ MERCHANTS_FILE: "m.yaml", UNIVAPAY_BASE_URL: "https://api.univapay.com", DATABASE_URL: "sqlite:" })).toThrow(
      /DATABASE_URL: sqlite: needs a file path[\s\S]*GATEWAY_SECRET: required outside demo mode/,
    );
  });
});

describe("start-up in demo mode", () => {
  it("keeps the SSRF guard on: only the built-in receiver is allowed, by name", async () => {
    const gw = await startGateway(loadConfig(base(dbFile())), { logger: silent, background: false });
    try {
      const { row } = await insertPayment(gw.store, {
        sid: "100001",
        requestKey: "rk-ssrf",
        chargeId: null,
        tokenId: null,
        job: "CAPTURE",
        svid: "1",
        amount: 1,
        total: 1,
        sod: null,
        orderKey: null,
        state: "captured",
        echo: "",
        charset: "UTF-8",
        mode: "test",
      });
      await gw.store.enqueueKickback({ pid: row.pid, sid: "100001", transition: "X", url: `${gw.adminUrl}/elsewhere`, query: "a=1" }, new Date());
      await gw.store.enqueueKickback({ pid: row.pid, sid: "100001", transition: "Y", url: `${gw.adminUrl}/demo/kickback`, query: "a=2" }, new Date());
      await gw.dispatcher.tick();
      const byTransition = Object.fromEntries((await gw.store.listKickbacks(row.pid)).map((k) => [k.transition, k]));
      expect(byTransition.X).toMatchObject({ state: "dead", lastError: expect.stringContaining("url rejected") });
      expect(byTransition.Y).toMatchObject({ state: "delivered" });
    } finally {
      await gw.close();
    }
  });
});

describe("merchant credentials are checked against UnivaPay at start", () => {
  let sandbox: Sandbox;
  let url: string;
  beforeAll(async () => {
    sandbox = createSandbox();
    url = (await sandbox.listen(0, "127.0.0.1")).url;
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  const merchant = (sid: string, mode: "test" | "live", creds: { storeId: string; appToken: string; secret: string }): Merchant => ({
    sid,
    name: sid,
    mode,
    credentials: { storeId: creds.storeId, appToken: new Secret(creds.appToken), secret: new Secret(creds.secret) },
    webhookToken: new Secret(`hook-${sid}`),
    kickbackUrl: undefined,
    kickbackUrls: {},
    charset: "auto",
    returnUrls: {},
    allowedSources: undefined,
    gatewayCardPayments: false,
  });
  const env = () => ({ UNIVAPAY_BASE_URL: url, GATEWAY_SECRET: SECRET });

  it("refuses a merchant that enables the token script without TOKEN_RSA_PRIVATE_KEYS, before any side effect", async () => {
    const shop = sandbox.createStore({ name: "token shop", mode: "test" });
    const m = { ...merchant("7", "test", shop), tokenScript: { origins: ["https://shop.example.jp"], fallbackEmail: "a@b.jp" } };
    const { err, dbCreated } = await refusal(env(), [m]);
    expect(isAppError(err) && err.code).toBe("config_invalid");
    expect(messages(err)).toContain("TOKEN_RSA_PRIVATE_KEYS: required: merchants 7 enable tokenScript");
    expect(dbCreated).toBe(false);
  });

  it("refuses a declared mode that the app token contradicts, junk credentials and a wrong store, each with its fix", async () => {
    const live = sandbox.createStore({ name: "live shop", mode: "live" });
    const test = sandbox.createStore({ name: "test shop", mode: "test" });
    const { err, dbCreated } = await refusal(env(), [
      merchant("1", "test", live),
      merchant("2", "live", test),
      merchant("3", "test", { ...test, secret: "junk" }),
      merchant("4", "test", { storeId: test.storeId, appToken: "not-a-jwt", secret: "x" }),
      merchant("5", "test", { ...test, storeId: live.storeId }),
      merchant("6", "test", test),
    ]);
    const m = messages(err);
    expect(m).toContain("merchant 1: mode: test is declared but the app token is a live-mode token: declare mode: live, or use a test-mode app token");
    expect(m).toContain("merchant 2: mode: live is declared but the app token is a test-mode token");
    expect(m).toMatch(/merchant 3: UnivaPay refused the credentials .*INVALID_CREDENTIALS/);
    expect(m).toContain("merchant 4: the app token is not a UnivaPay app token");
    expect(m).toContain(`merchant 5: univapay.storeId is ${live.storeId} but the app token belongs to store ${test.storeId}`);
    expect(m).not.toContain("merchant 6");
    expect(dbCreated).toBe(false);
  });

  it("starts when UnivaPay cannot be reached, serves nobody until the credentials are checked, then serves", async () => {
    const shop = sandbox.createStore({ name: "later shop", mode: "test" });
    const file = dbFile();
    const m = merchant("7", "test", shop);
    sandbox.faults.set({ routes: [{ pathPattern: "/stores/**", errorRate: 1, errorStatus: 503 }] });
    let gw: Gateway | undefined;
    try {
      gw = await startGateway(loadConfig({ ...base(file), ...env(), UNIVAPAY_TIMEOUT_MS: "500" }), { logger: silent, merchants: [m], background: false });
      const refused = replyFields((await sendRaw(gw.url, "GET", Buffer.from("/memberpay.aspx?sid=7&job=CAPTURE&upcmemberid=x&siam1=100&sod=S1"))).body);
      expect(field(refused, "rst")).toBe("2");
      expect(field(refused, "ec")).toBe("ER000P02P02");
      // Reported, without taking the whole gateway (and its other merchants) out of the load balancer.
      expect((await axios.get(`${gw.url}/readyz`, { validateStatus: () => true })).data.checks.merchants).toBe("some not served");
      sandbox.faults.clear();
      await verifyMerchants(gw.deps.client, gw.deps.merchants, silent);
      expect(gw.deps.merchants.status("7")).toEqual({ state: "verified" });
      const served = replyFields((await sendRaw(gw.url, "GET", Buffer.from("/memberpay.aspx?sid=7&job=CAPTURE&upcmemberid=x&siam1=100&sod=S1"))).body);
      expect(field(served, "ec")).toBe("ER000T01P07"); // now decoded and judged: unknown member
    } finally {
      sandbox.faults.clear();
      await gw?.close();
    }
  });

  it("does not take connections while it is starting: a request then is refused at once, never left hanging", async () => {
    const shop = sandbox.createStore({ name: "slow shop", mode: "test" });
    const port = await freePort();
    sandbox.faults.set({ routes: [{ pathPattern: "/stores/*", method: "GET", latencyMs: 1500 }] });
    const starting = startGateway(loadConfig({ ...base(dbFile()), ...env(), PORT: String(port) }), {
      logger: silent,
      merchants: [merchant("9", "test", shop)],
      background: false,
    });
    let gw: Gateway | undefined;
    try {
      await new Promise((r) => setTimeout(r, 300)); // start-up is now waiting on UnivaPay
      const t0 = Date.now();
      const early = await sendRaw(`http://127.0.0.1:${port}`, "GET", Buffer.from("/healthz")).then(
        () => "answered",
        (e: NodeJS.ErrnoException) => e.code,
      );
      expect(early).toBe("ECONNREFUSED");
      expect(Date.now() - t0).toBeLessThan(1000);
      gw = await starting;
      expect((await sendRaw(gw.url, "GET", Buffer.from("/healthz"))).status).toBe(200);
    } finally {
      sandbox.faults.clear();
      await (gw ?? (await starting.catch(() => undefined)))?.close();
    }
  });
});
