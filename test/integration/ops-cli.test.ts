/**
 * README's path for trying one's own merchants file, with the real commands (compiled, as child
 * processes): a store in a running sandbox becomes a merchant in a merchants file and an env file,
 * the gateway starts on them, the webhook is registered and a member added by command, and a
 * payment goes through with its kickback. Also: what the commands say when used wrongly.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readEnvFile } from "../../src/cli/env-file";
import { runScript } from "../support/run-script";
import { createSandbox, type Sandbox } from "../../src/sandbox/sandbox";
import { kill, startGatewayProcess, type GatewayProcess } from "../support/gateway-process";
import { startKickbackReceiver, type KickbackReceiver } from "../support/kickback-receiver";
import { field, replyFields, sendRaw } from "../support/raw-http";

jest.setTimeout(90_000);

const OPS = join(__dirname, "../../dist/scripts/ops.js");

const ops = (args: string[], env: Record<string, string>) => runScript(OPS, args, env);

describe("npm run ops: a merchants file against the sandbox", () => {
  let sandbox: Sandbox;
  let sandboxUrl: string;
  let receiver: KickbackReceiver;
  let gw: GatewayProcess | undefined;
  const dir = mkdtempSync(join(tmpdir(), "ops-cli-"));
  const files = { merchants: join(dir, "merchants.yaml"), env: join(dir, "merchants.env") };
  beforeAll(async () => {
    sandbox = createSandbox({ settleDelayMs: 10 });
    sandboxUrl = (await sandbox.listen(0, "127.0.0.1")).url;
    receiver = await startKickbackReceiver([200]);
  });
  afterAll(async () => {
    if (gw) await kill(gw, "SIGTERM");
    await receiver?.close();
    await sandbox?.close();
  });

  it("goes from a sandbox store to a paid order with its kickback, by commands only", async () => {
    const made = await ops(
      [
        "sandbox-merchant",
        "--sid",
        "300001",
        "--name",
        "CLI shop",
        "--sandbox",
        sandboxUrl,
        "--kickback-url",
        receiver.url,
        "--merchants-file",
        files.merchants,
        "--env-out",
        files.env,
      ],
      {},
    );
    expect(made).toMatchObject({ code: 0, stderr: "" });
    expect(made.stdout).toMatch(/^merchant 300001 \(test\) added to /);
    const env = { ...readEnvFile(files.env), DATABASE_URL: `sqlite:${join(dir, "gateway.sqlite")}`, MAPPINGS_DIR: join(__dirname, "../../mappings") };
    expect(env).toMatchObject({ UNIVAPAY_BASE_URL: sandboxUrl, MERCHANTS_FILE: files.merchants, KICKBACK_ALLOW_PRIVATE_NETWORKS: "true" });

    gw = await startGatewayProcess({ ...env, LOG_LEVEL: "info" });
    const hook = await ops(["register-webhook", "--sid", "300001", "--url", `${gw.url}/webhooks/univapay`], env);
    expect(hook.stdout).toMatch(/^registered webhook \S+ of merchant 300001/);
    expect((await ops(["register-webhook", "--sid", "300001", "--url", `${gw.url}/webhooks/univapay`], env)).stdout).toMatch(/^updated webhook/);
    const member = await ops(["add-member", "--sid", "300001", "--member", "taro", "--card", "4000020000000000"], env);
    expect(member).toMatchObject({ code: 0, stderr: "" });
    expect(member.stdout).not.toContain("4000020000000000");

    const res = await sendRaw(gw.url, "GET", Buffer.from("/memberpay.aspx?sid=300001&upcmemberid=taro&job=CAPTURE&siam1=1000&sod=CLI1&no=5"));
    const reply = replyFields(res.body);
    expect(field(reply, "rst")).toBe("1");
    const k = await receiver.waitFor((x) => field(replyFields(x.rawQuery), "pid") === field(reply, "pid"));
    expect(field(replyFields(k.rawQuery), "no")).toBe("5");
    // Nothing was answered failure with its outcome unknown: no reversals to watch.
    const reversals = await ops(["reversals", "--limit", "10"], env);
    expect(reversals).toMatchObject({ code: 0, stderr: "" });
    expect(reversals.stdout).toMatch(/^updated\tstate\tsid\tpid\tjob\tunivapay id\tunivapay status\n\(none\)\n$/);
    expect((await ops(["reversals", "--limit", "0"], env)).code).toBe(2);
  });

  it("answers a wrong command line with usage and exit 2, a wrong merchant with one line and exit 1", async () => {
    const env = { ...readEnvFile(files.env), DATABASE_URL: `sqlite:${join(dir, "gateway.sqlite")}` };
    const usage = await ops(["add-member", "--sid", "300001"], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^usage: add-member --sid SID --member ID --card NUMBER/);
    const unknown = await ops(["frobnicate"], env);
    expect(unknown.code).toBe(2);
    const wrong = await ops(["register-webhook", "--sid", "999"], env);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toBe(`error: sid 999 is not in ${files.merchants} (it has: 300001)\n`);
    const noSandbox = await ops(
      ["sandbox-merchant", "--sid", "300002", "--sandbox", "http://127.0.0.1:1", "--merchants-file", files.merchants, "--env-out", files.env],
      {},
    );
    expect(noSandbox.code).toBe(1);
    expect(noSandbox.stderr).toMatch(/^error: no sandbox answers at http:\/\/127\.0\.0\.1:1 .*npm run sandbox/);
  });

  it("makes a token key, prints its public key for self-hosted scripts, and says when none is set", async () => {
    const env = { ...readEnvFile(files.env), DATABASE_URL: `sqlite:${join(dir, "gateway.sqlite")}` };
    const made = await ops(["token-new-key"], env);
    expect(made.code).toBe(0);
    expect(made.stdout).toMatch(/^-----BEGIN PRIVATE KEY-----\n[\s\S]+-----END PRIVATE KEY-----\n$/);
    const shown = await ops(["token-public-key"], { ...env, TOKEN_RSA_PRIVATE_KEYS: made.stdout.replace(/\n/g, "\\n") });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+-----END PUBLIC KEY-----\nmodulus \(hex\): [0-9a-f]{512}\nexponent \(hex\): 010001\n$/);
    expect(shown.stdout).not.toContain("PRIVATE");
    const none = await ops(["token-public-key"], env);
    expect([none.code, none.stderr]).toEqual([1, "error: TOKEN_RSA_PRIVATE_KEYS is not set (npm run ops -- token-new-key makes one)\n"]);
  });
});
