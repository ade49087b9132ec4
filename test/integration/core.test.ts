/**
 * The core gives a tool everything the gateway runs on — mapping table, transition kinds,
 * merchants with checked credentials, UnivaPay client, store — without a listener, a worker or a
 * demo side effect.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config/config";
import type { Merchant } from "../../src/config/merchants";
import { createCore } from "../../src/core";
import { createLogger, Secret } from "../../src/logging/logger";
import { createSandbox, type Sandbox } from "../../src/sandbox/sandbox";

const silent = createLogger({ level: "silent" });

describe("createCore", () => {
  let sandbox: Sandbox;
  let url: string;
  let dir: string;
  beforeAll(async () => {
    sandbox = createSandbox({});
    url = (await sandbox.listen(0, "127.0.0.1")).url;
    dir = mkdtempSync(join(tmpdir(), "core-"));
  });
  afterAll(async () => {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function merchant(secret?: string): Merchant {
    const c = sandbox.createStore({ name: "core shop", mode: "test" });
    return {
      sid: "300001",
      name: "core shop",
      mode: "test",
      credentials: { storeId: c.storeId, appToken: new Secret(c.appToken), secret: new Secret(secret ?? c.secret) },
      webhookToken: new Secret(randomBytes(16).toString("hex")),
      kickbackUrl: undefined,
      kickbackUrls: {},
      charset: "auto",
      returnUrls: {},
      allowedSources: undefined,
      gatewayCardPayments: false,
    };
  }
  const config = () =>
    loadConfig({
      DATABASE_URL: `sqlite:${join(dir, `${randomBytes(4).toString("hex")}.sqlite`)}`,
      UNIVAPAY_BASE_URL: url,
      GATEWAY_SECRET: "core-secret-0123456789abcdef0123456789ab",
      LOG_LEVEL: "silent",
    });

  it("builds the table, the kinds, the checked merchants, the client and the store, and listens on nothing", async () => {
    const core = await createCore(config(), { logger: silent, merchants: [merchant()], withStore: true, checkCredentials: true });
    try {
      expect(core.kinds.forAction("charge")?.name).toBe("charge");
      expect(core.table.operations.rows.length).toBeGreaterThan(0);
      expect(core.registry.status("300001")).toEqual({ state: "verified" });
      expect(await core.store?.findPaymentByPid("00000000")).toBeUndefined();
      const servers = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().filter((h) => h?.constructor?.name === "Server");
      expect(servers).toHaveLength(1); // the sandbox's own
    } finally {
      await core.close();
    }
  });

  it("refuses merchants UnivaPay refuses before opening the store", async () => {
    const cfg = config();
    const err = await createCore(cfg, { logger: silent, merchants: [merchant("wrong")], withStore: true, checkCredentials: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: "config_invalid", message: "merchant credentials refused" });
    expect(existsSync(cfg.DATABASE_URL.slice("sqlite:".length))).toBe(false);
  });

  it("says what is missing without merchants", async () => {
    const err = await createCore(config(), { logger: silent }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: "config_invalid", message: "no merchants configured" });
  });
});
