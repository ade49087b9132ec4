/**
 * `npm run migrate` as a merchant runs it (the compiled command, as a child process, on the same
 * SQLite database as a running gateway, against a sandbox with UnivaPay's rate limits on): saved
 * members and pre-switch payments loaded from CSV files as merchants have them, each row checked
 * against the new API, the result file read back; then the old protocol works on what was loaded
 * (memberpay with a migrated member, SALES and CANCEL of a pre-switch pid). And a run killed in the
 * middle, resumed by running the same command again (members, and auto-billings created with --create).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import iconv from "iconv-lite";
import { createSandbox, type Sandbox, type SandboxCredentials } from "../../src/sandbox/sandbox";
import { createSandboxClient, type SandboxClient } from "../../src/sandbox/testing/sandbox-client";
import { kill, startGatewayProcess, type GatewayProcess } from "../support/gateway-process";
import { readEnvFile } from "../../src/cli/env-file";
import { killAfterRows, runScript } from "../support/run-script";
import { MIGRATE_USAGE } from "../../src/cli/migrate-command";
import { startKickbackReceiver, type KickbackReceiver } from "../support/kickback-receiver";
import { field, replyFields, sendRaw } from "../support/raw-http";

jest.setTimeout(120_000);

const DIST = join(__dirname, "../../dist/scripts");
type Json = Record<string, unknown>;

const node = (script: string, args: string[], env: Record<string, string>) => runScript(join(DIST, script), args, env);

/** The result file, as rows of its six columns (BOM and header checked). */
function results(path: string): string[][] {
  const text = readFileSync(path, "utf8");
  expect(text.startsWith("\ufeffline,key,status,new_id,error_code,message\r\n")).toBe(true);
  return text
    .slice(1)
    .split("\r\n")
    .slice(1)
    .filter((l) => l !== "")
    .map((l) => l.split(","));
}

describe("npm run migrate: members and payments from merchants' files", () => {
  let sandbox: Sandbox;
  let sandboxUrl: string;
  let receiver: KickbackReceiver;
  let gw: GatewayProcess;
  let env: Record<string, string>;
  let api: SandboxClient;
  let creds: SandboxCredentials;
  const dir = mkdtempSync(join(tmpdir(), "migrate-"));
  const migrate = (args: string[]) => node("migrate.js", args, env);

  async function token(card: string, type: "recurring" | "one_time", client = api): Promise<string> {
    const res = await client.request("POST", "/tokens", {
      body: {
        payment_type: "card",
        type,
        email: "member@example.com",
        data: { cardholder: "TARO YAMADA", card_number: card, exp_month: "12", exp_year: "2030", cvv: "123" },
      },
    });
    expect(res.status).toBe(201);
    return String(res.body?.["id"]);
  }

  async function charge(tokenId: string, amount: number, capture: boolean): Promise<Json> {
    const made = await api.request("POST", "/charges", { body: { transaction_token_id: tokenId, amount, currency: "JPY", capture } });
    expect(made.status).toBe(201);
    const id = String(made.body?.["id"]);
    const settled = await api.request("GET", `/stores/${creds.storeId}/charges/${id}?polling=true`);
    return settled.body as Json;
  }

  beforeAll(async () => {
    // UnivaPay's rate limits on: the migrator must pace itself, never fail a row for a 429.
    sandbox = createSandbox({ settleDelayMs: 10, testChargeDailyLimit: null });
    sandboxUrl = (await sandbox.listen(0, "127.0.0.1")).url;
    receiver = await startKickbackReceiver([200]);
    const files = { merchants: join(dir, "merchants.yaml"), env: join(dir, "merchants.env") };
    const made = await node(
      "ops.js",
      [
        "sandbox-merchant",
        "--sid",
        "400001",
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
    expect(made.code).toBe(0);
    env = { ...readEnvFile(files.env), DATABASE_URL: `sqlite:${join(dir, "gateway.sqlite")}`, MAPPINGS_DIR: join(__dirname, "../../mappings") };
    const secret = env["SHOP_400001_SECRET"];
    const appToken = env["SHOP_400001_APP_TOKEN"];
    const storeId = /storeId:\s*"?([0-9a-f-]{36})/.exec(readFileSync(files.merchants, "utf8"))?.[1];
    if (!secret || !appToken || !storeId) throw new Error("sandbox-merchant wrote no credentials");
    creds = { storeId, secret, appToken, mode: "test", linkFormId: "" };
    api = createSandboxClient(sandboxUrl, creds);
    gw = await startGatewayProcess(env);
  });
  afterAll(async () => {
    if (gw) await kill(gw, "SIGTERM");
    await receiver?.close();
    await sandbox?.close();
  });

  it("loads saved members from a Shift_JIS export with a header, reports every bad row by line, and memberpay pays with them", async () => {
    const other = sandbox.createStore({ name: "Another shop", mode: "test", pci: true, recurringPrivilege: "infinite" });
    const foreign = await token("4000020000000000", "recurring", createSandboxClient(sandboxUrl, other));
    const [taro, hanako, jiro] = [
      await token("4000020000000000", "recurring"),
      await token("4000020000000000", "recurring"),
      await token("4000020000000000", "recurring"),
    ];
    const once = await token("4000020000000000", "one_time");
    const csv = [
      "会員ID,氏名,トークンID",
      `taro,山田 太郎,${taro}`,
      `hanako,"佐藤, 花子",${hanako}`,
      `once,一度,${once}`,
      `foreign,他店,${foreign}`,
      `broken,壊れ,not-a-token`,
      `taro,山田 太郎,${taro}`,
      `taro,山田 太郎,${jiro}`,
      "",
      `"jiro,次郎,${jiro}`,
    ].join("\r\n");
    const file = join(dir, "members-sjis.csv");
    writeFileSync(file, iconv.encode(csv, "cp932"));
    const r = await migrate(["members", "--sid", "400001", "--file", file]);
    // stderr holds progress lines only (not a terminal: plain lines, no bar).
    expect(r.stderr.split("\n").filter((l) => l !== "" && !/^progress: \d+\/\d+ rows/.test(l))).toEqual([]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^members of sid 400001: 8 rows of .*members-sjis\.csv \(shift_jis\)/);
    expect(r.stdout).toContain("migrated 2 · unchanged 1 · failed 5 · error 0");
    const rows = results(`${file}.results.csv`);
    expect(rows.map((x) => [x[0], x[1], x[2], x[4]])).toEqual([
      ["2", "taro", "migrated", ""],
      ["3", "hanako", "migrated", ""],
      ["4", "once", "failed", "wrong_type"],
      ["5", "foreign", "failed", "not_found"],
      ["6", "broken", "failed", "bad_row"],
      ["7", "taro", "unchanged", ""],
      ["8", "taro", "failed", "conflict"],
      ["10", "", "failed", "bad_row"],
    ]);
    expect(rows[0]?.[3]).toBe(taro);
    const summary = JSON.parse(readFileSync(join(dir, "members-sjis.csv.results.summary.json"), "utf8")) as Json;
    expect(summary).toMatchObject({ rows: 8, statuses: { migrated: 2, failed: 5 }, codes: { wrong_type: 1, not_found: 1, bad_row: 2, conflict: 1 } });

    // The gateway, running all along on the same database, knows the migrated member now.
    const res = await sendRaw(gw.url, "GET", Buffer.from("/memberpay.aspx?sid=400001&upcmemberid=hanako&job=CAPTURE&siam1=1200&sod=M1&no=77"));
    const reply = replyFields(res.body);
    expect(field(reply, "rst")).toBe("1");
    const k = await receiver.waitFor((x) => field(replyFields(x.rawQuery), "pid") === field(reply, "pid"));
    expect(field(replyFields(k.rawQuery), "no")).toBe("77");

    // The same file again: every finished row is taken from the ledger, nothing is asked twice.
    const again = await migrate(["members", "--sid", "400001", "--file", file]);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain("8 rows were finished by an earlier pass and not done again");
    expect(results(`${file}.results.csv`)).toEqual(rows);
  });

  it("checks everything and writes nothing in a dry run, of a headerless UTF-8 file with a BOM", async () => {
    const t = await token("4000020000000000", "recurring");
    const file = join(dir, "members-bom.csv");
    writeFileSync(file, `\ufeffsaburo,${t}\nshiro,${"0".repeat(8)}-0000-0000-0000-${"0".repeat(12)}\n`);
    const dry = await migrate(["members", "--sid", "400001", "--file", file, "--dry-run"]);
    expect(dry.code).toBe(1);
    expect(dry.stdout).toMatch(/^dry run, nothing written: members of sid 400001: 2 rows .*\(utf-8\)/);
    expect(results(`${file}.results.csv`).map((x) => [x[1], x[2], x[4]])).toEqual([
      ["saburo", "checked", ""],
      ["shiro", "failed", "not_found"],
    ]);
    const res = await sendRaw(gw.url, "GET", Buffer.from("/memberpay.aspx?sid=400001&upcmemberid=saburo&job=CAPTURE&siam1=100"));
    expect(field(replyFields(res.body), "ec")).toBe("ER000T01P07");
    const real = await migrate(["members", "--sid", "400001", "--file", file]);
    expect(real.stdout).toContain("migrated 1 · unchanged 0 · failed 1");
  });

  it("maps pre-switch pids to their charges, so SALES and CANCEL by the old pid work", async () => {
    const t = await token("4000020000000000", "recurring");
    const auth = await charge(t, 3000, false);
    const paid = await charge(t, 1500, true);
    const declined = await charge(await token("4111111111111111", "one_time"), 500, true);
    expect([auth["status"], paid["status"], declined["status"]]).toEqual(["authorized", "successful", "failed"]);
    const file = join(dir, "payments.csv");
    writeFileSync(
      file,
      [
        "pid,charge_id,sod",
        `51234567,${String(auth["id"])},OLD-1`,
        `51234568,${String(paid["id"])},OLD-2`,
        `51234569,${String(declined["id"])},OLD-3`,
        `51234570,${String(auth["id"])},OLD-4`,
        "5123,x,y",
      ].join("\n"),
    );
    const r = await migrate(["payments", "--sid", "400001", "--file", file]);
    expect(r.code).toBe(1);
    expect(results(`${file}.results.csv`).map((x) => [x[1], x[2], x[4]])).toEqual([
      ["51234567", "migrated", ""],
      ["51234568", "migrated", ""],
      ["51234569", "failed", "state_refused"],
      ["51234570", "failed", "in_use"],
      ["5123", "failed", "bad_row"],
    ]);

    const sales = replyFields((await sendRaw(gw.url, "GET", Buffer.from("/payment.aspx?sid=400001&svid=1&ptype=1&rt=4&job=SALES&pid=51234567"))).body);
    expect([field(sales, "rst"), field(sales, "pid"), field(sales, "job")]).toEqual(["1", "51234567", "SALES"]);
    const captured = await api.request("GET", `/stores/${creds.storeId}/charges/${String(auth["id"])}`);
    expect(captured.body?.["status"]).toBe("successful");
    const k = await receiver.waitFor((x) => field(replyFields(x.rawQuery), "pid") === "51234567" && field(replyFields(x.rawQuery), "job") === "SALES");
    expect(field(replyFields(k.rawQuery), "sod")).toBe("OLD-1");

    const cancel = replyFields((await sendRaw(gw.url, "GET", Buffer.from("/payment.aspx?sid=400001&svid=1&ptype=1&rt=4&job=CANCEL&pid=51234568"))).body);
    expect([field(cancel, "rst"), field(cancel, "job")]).toEqual(["1", "CANCEL"]);
    // An unknown pid is still unknown.
    const unknown = replyFields((await sendRaw(gw.url, "GET", Buffer.from("/payment.aspx?sid=400001&svid=1&ptype=1&rt=4&job=SALES&pid=59999999"))).body);
    expect(field(unknown, "ec")).toBe("ER000D41S61");
  });

  it("maps one card to one member, and leaves a charge with refunds at UnivaPay to a person", async () => {
    const t = await token("4000020000000000", "recurring");
    const members = join(dir, "members-twice.csv");
    writeFileSync(members, `goro,${t}\nrokuro,${t}\n`);
    const m = await migrate(["members", "--sid", "400001", "--file", members]);
    expect(m.code).toBe(1);
    expect(results(`${members}.results.csv`).map((x) => [x[1], x[2], x[4]])).toEqual([
      ["goro", "migrated", ""],
      ["rokuro", "failed", "in_use"],
    ]);

    const paid = await charge(t, 2000, true);
    const refund = await api.request("POST", `/stores/${creds.storeId}/charges/${String(paid["id"])}/refunds`, {
      body: { amount: 500, currency: "JPY", reason: "customer_request" },
    });
    expect(refund.status).toBe(201);
    const payments = join(dir, "payments-refunded.csv");
    writeFileSync(payments, `61234599,${String(paid["id"])}\n`);
    const p = await migrate(["payments", "--sid", "400001", "--file", payments]);
    expect(p.code).toBe(1);
    const [row] = results(`${payments}.results.csv`);
    expect([row?.[2], row?.[4]]).toEqual(["failed", "state_refused"]);
    expect(row?.[5]).toContain("refunds");
  });

  it("resumes a run killed in the middle: every row done once, none done twice", async () => {
    // Made as UnivaPay's own data migration made them: outside the API and its rate limits.
    const tokens = sandbox.migrateCards(creds.storeId, 150);
    const file = join(dir, "members-big.csv");
    writeFileSync(file, tokens.map((t, i) => `bulk${i},${t}`).join("\n"));
    const resultsPath = `${file}.results.csv`;
    // Killed once a good part of the rows is done (at UnivaPay's 20 GETs/s, after about 2 s).
    const child = spawn(process.execPath, [join(DIST, "migrate.js"), "members", "--sid", "400001", "--file", file], {
      env: { PATH: process.env.PATH ?? "", ...env },
    });
    await killAfterRows(child, resultsPath, 40);
    const second = await migrate(["members", "--sid", "400001", "--file", file]);
    expect(second.code).toBe(0);
    const skipped = Number(/(\d+) rows were finished by an earlier pass/.exec(second.stdout)?.[1]);
    expect(skipped).toBeGreaterThanOrEqual(40);
    expect(skipped).toBeLessThan(150);
    const rows = results(resultsPath);
    expect(rows.map((x) => x[1])).toEqual(tokens.map((_, i) => `bulk${i}`));
    // Rows the killed run had committed are "migrated" from its ledger; the rest were done now.
    expect(rows.every((x) => x[2] === "migrated" || x[2] === "unchanged")).toBe(true);
    expect(rows.filter((x) => x[2] === "migrated").length).toBeGreaterThanOrEqual(150 - 16);
  });

  it("autobillings --create killed in the middle: the rerun creates every subscription exactly once", async () => {
    // The store's subscriptions at the sandbox (waiting out the rate limit the migrator just spent).
    const subscriptions = async (): Promise<number> => {
      for (;;) {
        const res = await api.request("GET", `/stores/${creds.storeId}/subscriptions?limit=10`);
        if (res.status === 200) return Number(res.body?.["total_hits"]);
        if (res.status !== 429) throw new Error(`subscriptions list: ${res.status}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    };
    const before = await subscriptions();
    const cards = sandbox.migrateCards(creds.storeId, 120, undefined, { cvvAuthorized: true });
    const next = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    const file = join(dir, "autobillings-big.csv");
    writeFileSync(file, ["acid,transaction_token_id,actp,acam,next_date", ...cards.map((t, i) => `KB${i},${t},4,500,${next}`)].join("\r\n"));
    const resultsPath = `${file}.results.csv`;
    const child = spawn(process.execPath, [join(DIST, "migrate.js"), "autobillings", "--create", "--sid", "400001", "--file", file], {
      env: { PATH: process.env.PATH ?? "", ...env },
    });
    await killAfterRows(child, resultsPath, 30);
    const second = await migrate(["autobillings", "--create", "--sid", "400001", "--file", file]);
    expect(second.code).toBe(0);
    const skipped = Number(/(\d+) rows were finished by an earlier pass/.exec(second.stdout)?.[1]);
    expect(skipped).toBeGreaterThanOrEqual(30);
    expect(skipped).toBeLessThan(120);
    const rows = results(resultsPath);
    expect(rows.map((x) => x[1])).toEqual(cards.map((_, i) => `KB${i}`));
    expect(rows.every((x) => x[2] === "migrated")).toBe(true);
    // One subscription per row at UnivaPay, whatever the kill cut in the middle of.
    expect((await subscriptions()) - before).toBe(120);
    expect(new Set(rows.map((x) => x[3])).size).toBe(120);
    expect(readFileSync(`${file}.results.drift.csv`, "utf8")).toContain("registration");
  });

  it("a create UnivaPay made whose answer never came back: resolve-autobilling finds it by legacy-acid and records it", async () => {
    const [card] = sandbox.migrateCards(creds.storeId, 1, undefined, { cvvAuthorized: true });
    const members = join(dir, "resolve-members.csv");
    writeFileSync(members, `upcmemberid,transaction_token_id\r\nm-res,${card}\r\n`);
    expect((await migrate(["members", "--sid", "400001", "--file", members])).code).toBe(0);
    const file = join(dir, "resolve.csv");
    const next = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    writeFileSync(file, `acid,upcmemberid,actp,acam,next_date\r\nRS1,m-res,4,700,${next}\r\n`);
    // UnivaPay makes the subscription, and every answer is lost: the migrator keeps resending
    // (same key) until it is killed, leaving its record without a subscription id.
    sandbox.faults.set({ routes: [{ method: "POST", pathPattern: "/subscriptions", dropRate: 1, when: "after" }] });
    const child = spawn(process.execPath, [join(DIST, "migrate.js"), "autobillings", "--create", "--sid", "400001", "--file", file], {
      env: { PATH: process.env.PATH ?? "", ...env },
    });
    const made = async (): Promise<string[]> => {
      let res = await api.request("GET", `/stores/${creds.storeId}/subscriptions?search=RS1&limit=10`);
      // The sandbox's rate limits are on: a 429 is waited out, never read as "none".
      while (res.status === 429) {
        await new Promise((r) => setTimeout(r, 500));
        res = await api.request("GET", `/stores/${creds.storeId}/subscriptions?search=RS1&limit=10`);
      }
      if (res.status !== 200) throw new Error(`subscriptions search: ${res.status}`);
      const items = (res.body?.["items"] ?? []) as Array<{ id: string; metadata?: Record<string, unknown> }>;
      return items.filter((x) => x.metadata?.["legacy-acid"] === "RS1").map((x) => x.id);
    };
    while ((await made()).length === 0) await new Promise((r) => setTimeout(r, 50));
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    sandbox.faults.clear();
    const [id] = await made();
    const resolved = await node("ops.js", ["resolve-autobilling", "--sid", "400001", "--acid", "RS1"], env);
    expect([resolved.code, resolved.stdout]).toEqual([0, expect.stringContaining(`auto-billing RS1 (pid `)]);
    expect(resolved.stdout).toContain(`is subscription ${id}`);
    // Recorded: its management jobs answer, and the migrator takes it as done.
    const status = replyFields((await sendRaw(gw.url, "GET", Buffer.from("/payment.aspx?sid=400001&job=ACSTATUS&acid=RS1"))).body);
    expect(field(status, "rst")).toBe("1");
    const again = await migrate(["autobillings", "--create", "--sid", "400001", "--file", file]);
    expect(again.code).toBe(0);
    expect(readFileSync(`${file}.results.csv`, "utf8")).toContain(`RS1,unchanged,${id}`);
    expect(await made()).toEqual([id]);
  });

  it("refuses a second run of the same file while the first is alive, and takes over from a dead one", async () => {
    // 150 rows at UnivaPay's 20 GETs/s keep the first run alive for seconds after its lock appears.
    const tokens = sandbox.migrateCards(creds.storeId, 150);
    const file = join(dir, "members-rival.csv");
    writeFileSync(file, tokens.map((t, i) => `rival${i},${t}`).join("\n"));
    const first = spawn(process.execPath, [join(DIST, "migrate.js"), "members", "--sid", "400001", "--file", file], {
      env: { PATH: process.env.PATH ?? "", ...env },
    });
    const exited = new Promise<number | null>((r) => first.once("exit", (code) => r(code)));
    while (!existsSync(`${file}.results.csv.lock`)) await new Promise((r) => setTimeout(r, 20));
    const rival = await migrate(["members", "--sid", "400001", "--file", file]);
    expect(rival.code).toBe(2);
    expect(rival.stderr).toMatch(/another run \(pid \d+\) is writing/);
    expect(await exited).toBe(0);
    expect(existsSync(`${file}.results.csv.lock`)).toBe(false);
    // A lock left by a process that is gone does not stand in the way.
    writeFileSync(`${file}.results.csv.lock`, "999999999\n");
    const again = await migrate(["members", "--sid", "400001", "--file", file]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("150 rows were finished by an earlier pass");
  });

  it("says what is wrong with a command line, a layout or a file, with exit 2", async () => {
    expect((await migrate(["frobnicate", "--sid", "400001", "--file", "x"])).code).toBe(2);
    const missing = await migrate(["members", "--sid", "400001", "--file", join(dir, "nope.csv")]);
    expect(missing).toMatchObject({ code: 2, stdout: "" });
    expect(missing.stderr).toMatch(/^usage: --file .*nope\.csv: no such file\n$/);
    const file = join(dir, "typo.csv");
    writeFileSync(file, "upcmemberid,tokn_id\nx,y\n");
    const typo = await migrate(["members", "--sid", "400001", "--file", file]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/^error: the header row names upcmemberid but not tokenId/);
    const wrongLayout = await migrate(["payments", "--sid", "400001", "--file", file, "--layout", "members"]);
    expect(wrongLayout.stderr).toBe("usage: --layout members is a layout of members, not payments\n");
    expect((await migrate(["members", "--sid", "999", "--file", file])).stderr).toMatch(/^error: sid 999 is not in /);
    expect((await migrate(["members", "--create", "--sid", "400001", "--file", file])).stderr).toBe("usage: --create is for autobillings only, not members\n");
    const lead = await migrate(["autobillings", "--create", "--min-lead-days", "0", "--sid", "400001", "--file", file]);
    expect([lead.code, lead.stderr]).toEqual([2, "usage: --min-lead-days must be a whole number of days from 1 to 60, got 0\n"]);
    // Each says what is wrong in its first line, never Node's advice about "--".
    const noSid = await migrate(["members", "--file", file]);
    expect([noSid.code, noSid.stderr.split("\n")[0]]).toEqual([2, "usage: --sid is missing"]);
    const negative = await migrate(["autobillings", "--create", "--min-lead-days", "-1", "--sid", "400001", "--file", file]);
    expect([negative.code, negative.stderr.split("\n")[0]]).toEqual([2, "usage: Option '--min-lead-days' argument is ambiguous"]);
    const bogus = await migrate(["members", "--bogus", "--sid", "400001", "--file", file]);
    expect([bogus.code, bogus.stderr.split("\n")[0]]).toEqual([2, "usage: Unknown option '--bogus'"]);
    expect((await migrate(["members", "--sid", "400001", "--file", dir])).stderr).toBe(`usage: --file ${dir}: a directory, not a file\n`);
    const noDir = await migrate(["members", "--sid", "400001", "--file", file, "--results", join(dir, "no-such-dir", "r.csv")]);
    expect([noDir.code, noDir.stderr]).toEqual([
      2,
      `usage: --results ${join(dir, "no-such-dir", "r.csv")}: the folder ${join(dir, "no-such-dir")} does not exist\n`,
    ]);
    // resolve-autobilling: only an auto-billing whose create was never answered.
    const unknown = await node("ops.js", ["resolve-autobilling", "--sid", "400001", "--acid", "NOPE"], env);
    expect([unknown.code, unknown.stderr]).toEqual([2, "usage: sid 400001 has no auto-billing NOPE\n"]);
    const created = await node("ops.js", ["resolve-autobilling", "--sid", "400001", "--acid", "KB0"], env);
    expect(created.code).toBe(2);
    expect(created.stderr).toMatch(
      /^usage: auto-billing KB0 is subscription [0-9a-f-]{36}: only a created one whose create was never answered is resolved here/,
    );
    const help = await migrate(["--help"]);
    expect([help.code, help.stdout.split("\n")[0]]).toEqual([0, MIGRATE_USAGE]);
  });
});
