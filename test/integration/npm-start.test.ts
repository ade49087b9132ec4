/**
 * `npm start` as a newcomer and an operator run it: a start compiles nothing when the build is
 * current, and SIGTERM to the npm process stops the gateway itself (before, npm died and left
 * node running).
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../support/gateway-process";

jest.setTimeout(90_000);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("npm start", () => {
  it("starts without compiling, and SIGTERM to npm stops the gateway", async () => {
    const dir = join(tmpdir(), `npm-start-${randomBytes(4).toString("hex")}`);
    const port = await freePort();
    const child = spawn("npm", ["start", "--silent"], {
      cwd: join(__dirname, "../.."),
      env: {
        ...process.env,
        PORT: String(port),
        HOST: "127.0.0.1",
        ADMIN_PORT: "0",
        DATABASE_URL: `sqlite:${dir}/g.sqlite`,
        SANDBOX_STATE_FILE: `${dir}/sandbox.jsonl`,
        LOG_LEVEL: "info",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (out += c.toString()));
    const started = Date.now();
    while (!out.includes('"msg":"gateway listening"')) {
      if (child.exitCode !== null) throw new Error(`npm start exited: ${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(out).not.toContain("building");
    const pid = Number(/"pid":(\d+)/.exec(out)?.[1]);
    expect(alive(pid)).toBe(true);
    process.stdout.write(`npm start → listening in ${Date.now() - started} ms\n`);
    child.kill("SIGTERM");
    await once(child, "exit");
    const deadline = Date.now() + 20_000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(alive(pid)).toBe(false);
    expect(out).toContain('"msg":"stopping"');
  });
});
