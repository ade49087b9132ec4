/**
 * `npm run sandbox` with SANDBOX_STATE_FILE, as a real process: the credentials line it prints is
 * the same at every start, a SIGKILL loses nothing that was saved (a save runs within about a
 * second of a change), SIGTERM saves before exiting, and an empty SANDBOX_STATE_FILE keeps the old
 * in-memory behaviour. The TypeScript entry point is transpiled on the fly, so this never runs a
 * stale dist/.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSandboxClient } from "../../src/sandbox/testing/sandbox-client";

const MAIN_TS = join(__dirname, "../../src/sandbox/sandbox-main.ts");
const TS_HOOK = `
const ts = require("typescript");
const fs = require("fs");
require.extensions[".ts"] = (m, f) => m._compile(ts.transpileModule(fs.readFileSync(f, "utf8"), {
  fileName: f, compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
}).outputText, f);
require(${JSON.stringify(MAIN_TS)});
`;

interface Running {
  readonly child: ChildProcess;
  readonly credentials: { endpoint: string; appToken: string; secret: string; storeId: string };
  readonly stderr: () => string;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function startMain(env: Record<string, string>): Promise<Running> {
  const child = spawn(process.execPath, ["-e", TS_HOOK], {
    cwd: join(__dirname, "../.."),
    env: { PATH: process.env["PATH"] ?? "", SANDBOX_LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  let out = "";
  child.stderr?.on("data", (c: Buffer) => (err += c.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", (c: Buffer) => {
      out += c.toString();
      if (out.includes("\n")) resolve(out.split("\n")[0] ?? "");
    });
    child.once("exit", (code) => reject(new Error(`sandbox exited (${String(code)}): ${err}`)));
  });
  return { child, credentials: JSON.parse(line) as Running["credentials"], stderr: () => err };
}

/** The log goes to stderr on its own stream: it may land after the credentials line on stdout. */
async function stderrWith(r: Running, text: string): Promise<string> {
  if (r.stderr().includes(text)) return r.stderr();
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, 10_000);
    function done() {
      clearTimeout(timer);
      r.child.stderr?.off("data", check);
      resolve();
    }
    function check() {
      if (r.stderr().includes(text)) done();
    }
    r.child.stderr?.on("data", check);
  });
  return r.stderr();
}

async function stop(r: Running, signal: NodeJS.Signals): Promise<number | null> {
  // A child killed by a signal keeps exitCode null (signalCode is set): it will never exit again.
  if (r.child.exitCode !== null || r.child.signalCode !== null) return r.child.exitCode;
  const exited = once(r.child, "exit");
  r.child.kill(signal);
  const [code] = (await exited) as [number | null];
  return code;
}

describe("npm run sandbox with a state file", () => {
  let dir: string;
  const running: Running[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "sandbox-main-"));
  });
  afterEach(async () => {
    for (const r of running.splice(0)) await stop(r, "SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  const run = async (env: Record<string, string>): Promise<Running> => {
    const r = await startMain(env);
    running.push(r);
    return r;
  };

  async function pay(r: Running): Promise<string> {
    const { endpoint, ...creds } = r.credentials;
    const api = createSandboxClient(endpoint, { ...creds, mode: "test" });
    const token = await api.request("POST", "/tokens", {
      body: {
        payment_type: "card",
        type: "one_time",
        email: "a@example.com",
        data: { cardholder: "TARO YAMADA", card_number: "4000020000000000", exp_month: 12, exp_year: 2099, cvv: "123" },
      },
    });
    const charge = await api.request("POST", "/charges", { body: { transaction_token_id: token.body?.["id"], amount: 1200, currency: "JPY" } });
    expect(charge.status).toBe(201);
    return String(charge.body?.["id"]);
  }

  async function chargeStatus(r: Running, id: string): Promise<number> {
    const { endpoint, ...creds } = r.credentials;
    return (await createSandboxClient(endpoint, { ...creds, mode: "test" }).request("GET", `/stores/${creds.storeId}/charges/${id}`)).status;
  }

  it("prints the same credentials at every start, and keeps what was saved through SIGKILL and SIGTERM", async () => {
    const stateFile = join(dir, "data", "sandbox-state.jsonl");
    const env = { SANDBOX_PORT: String(await freePort()), SANDBOX_STATE_FILE: stateFile };

    const first = await run(env);
    expect(await stderrWith(first, "sandbox state file created")).toContain('"msg":"sandbox state file created"');
    expect(existsSync(stateFile)).toBe(true);
    const saved = await pay(first);
    await new Promise((r) => setTimeout(r, 1500)); // longer than the save delay
    await stop(first, "SIGKILL");

    const second = await run(env);
    expect(second.credentials).toEqual(first.credentials);
    expect(await stderrWith(second, "sandbox state loaded from file")).toContain('"msg":"sandbox state loaded from file"');
    expect(await chargeStatus(second, saved)).toBe(200);
    const unsaved = await pay(second);
    expect(await stop(second, "SIGTERM")).toBe(0); // saves before it exits

    const third = await run(env);
    expect(third.credentials).toEqual(first.credentials);
    expect(await chargeStatus(third, unsaved)).toBe(200);
  });

  it("keeps state in memory only when SANDBOX_STATE_FILE is empty", async () => {
    const env = { SANDBOX_PORT: "0", SANDBOX_STATE_FILE: "" };
    const a = await run(env);
    expect(await stderrWith(a, "kept in memory only")).toContain("kept in memory only");
    await stop(a, "SIGTERM");
    const b = await run(env);
    expect(b.credentials.appToken).not.toBe(a.credentials.appToken);
  });

  it("refuses to start on a bad state file, with one clear message", async () => {
    const stateFile = join(dir, "bad.json");
    writeFileSync(stateFile, "not json\n");
    const child = spawn(process.execPath, ["-e", TS_HOOK], {
      env: { PATH: process.env["PATH"] ?? "", SANDBOX_PORT: "0", SANDBOX_STATE_FILE: stateFile },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    const [code] = (await once(child, "exit")) as [number | null];
    expect(code).toBe(1);
    expect(err.trim()).toBe(
      `sandbox failed to start: Sandbox state file ${stateFile} is not valid JSON (line 1). Delete the file to start a fresh sandbox (its stores, credentials and payments are then lost).`,
    );
  });
});
