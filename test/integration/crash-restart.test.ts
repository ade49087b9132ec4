/**
 * At-least-once under a crash: the gateway is SIGKILLed while a kickback is in flight (the
 * merchant holds the request open), then started again on the same database. The kickback is
 * delivered after the dead worker's lease expires; nothing is lost.
 */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureDemoMembers } from "../../src/demo/demo-setup";
import { createLogger, Secret } from "../../src/logging/logger";
import { createSandbox, type Sandbox } from "../../src/sandbox/sandbox";
import { createStore } from "../../src/store/create-store";
import { createUnivapayClient } from "../../src/univapay/univapay-client";
import { kill, startGatewayProcess, type GatewayProcess } from "../support/gateway-process";
import { startKickbackReceiver, type KickbackReceiver } from "../support/kickback-receiver";
import { field, replyFields, sendRaw } from "../support/raw-http";

describe("gateway killed mid-delivery", () => {
  let sandbox: Sandbox;
  let receiver: KickbackReceiver;
  let gw: GatewayProcess | undefined;
  const silent = createLogger({ level: "silent" });

  beforeAll(async () => {
    sandbox = createSandbox({ settleDelayMs: 10 });
    // First kickback request is held open for ever (the merchant hangs); the next one succeeds.
    receiver = await startKickbackReceiver([0, 200]);
  });
  afterAll(async () => {
    if (gw) await kill(gw, "SIGKILL");
    await receiver?.close();
    await sandbox?.close();
  });

  it("delivers the kickback after a restart", async () => {
    const sandboxUrl = (await sandbox.listen(0, "127.0.0.1")).url;
    const creds = sandbox.createStore({ name: "crash shop", mode: "test", pci: true, recurringPrivilege: "infinite" });
    const dbFile = join(tmpdir(), `gw-crash-${randomBytes(6).toString("hex")}.sqlite`);
    const merchantsFile = join(tmpdir(), `merchants-${randomBytes(6).toString("hex")}.yaml`);
    writeFileSync(
      merchantsFile,
      [
        "merchants:",
        '  - sid: "500001"',
        "    mode: test",
        `    univapay: { storeId: "${creds.storeId}", appToken: { env: CRASH_APP_TOKEN }, secret: { env: CRASH_SECRET } }`,
        "    webhookToken: { env: CRASH_WEBHOOK_TOKEN }",
        `    kickback: { url: "${receiver.url}" }`,
      ].join("\n"),
    );
    // The member map lives in the gateway's database: seed it as a migration batch would.
    const store = await createStore({ databaseUrl: `sqlite:${dbFile}`, logger: silent });
    const client = createUnivapayClient({ baseUrl: sandboxUrl, timeoutMs: 5000, logger: silent });
    const merchantForSeed = {
      sid: "500001",
      credentials: { storeId: creds.storeId, appToken: new Secret(creds.appToken), secret: new Secret(creds.secret) },
    } as Parameters<typeof ensureDemoMembers>[2];
    await ensureDemoMembers(client, store, merchantForSeed, silent);
    client.close();
    await store.close();

    const env = {
      PATH: process.env.PATH ?? "",
      LOG_LEVEL: "info",
      DATABASE_URL: `sqlite:${dbFile}`,
      UNIVAPAY_BASE_URL: sandboxUrl,
      MERCHANTS_FILE: merchantsFile,
      MAPPINGS_DIR: join(__dirname, "../../mappings"),
      CRASH_APP_TOKEN: creds.appToken,
      CRASH_SECRET: creds.secret,
      CRASH_WEBHOOK_TOKEN: "crash-webhook-token",
      GATEWAY_SECRET: "crash-test-secret-0123456789abcdef0123",
      KICKBACK_ALLOW_PRIVATE_NETWORKS: "true",
      KICKBACK_LOCK_MS: "3000",
      KICKBACK_POLL_MS: "50",
      KICKBACK_TIMEOUT_MS: "1000",
    };
    gw = await startGatewayProcess(env);
    const res = await sendRaw(gw.url, "GET", Buffer.from("/memberpay.aspx?sid=500001&job=CAPTURE&upcmemberid=demo-ok&siam1=1000&sod=CRASH1&no=77"));
    const reply = replyFields(res.body);
    expect(field(reply, "rst")).toBe("1");
    const pid = field(reply, "pid")!;

    // The kickback is in flight, held open by the merchant: kill the gateway now.
    await receiver.waitFor((k) => field(replyFields(k.rawQuery), "pid") === pid);
    await kill(gw, "SIGKILL");

    gw = await startGatewayProcess(env);
    let count = 0;
    const second = await receiver.waitFor((k) => field(replyFields(k.rawQuery), "pid") === pid && ++count === 2);
    expect(field(replyFields(second.rawQuery), "no")).toBe("77");
    await kill(gw, "SIGTERM");
    gw = undefined;

    const after = await createStore({ databaseUrl: `sqlite:${dbFile}`, logger: silent });
    const [k] = await after.listKickbacks(pid);
    expect(k?.state).toBe("delivered");
    expect((await after.findPaymentByPid(pid))?.state).toBe("captured");
    await after.close();
  });
});
