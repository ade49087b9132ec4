/**
 * Runs the compiled gateway (dist/src/main.js, built by `npm test` before jest) as a real child
 * process, so a test can SIGKILL it mid-work and start it again on the same database.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { join } from "node:path";

export const MAIN_JS = join(__dirname, "../../dist/src/main.js");

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface GatewayProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: () => string;
}

/** Starts the gateway and resolves once it logs "gateway listening". */
export async function startGatewayProcess(env: Record<string, string>): Promise<GatewayProcess> {
  const port = env.PORT ?? String(await freePort());
  const child = spawn(process.execPath, [MAIN_JS], { env: { ADMIN_PORT: "0", ...env, PORT: port, HOST: "127.0.0.1" }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  await new Promise<void>((resolve, reject) => {
    const onData = (c: Buffer) => {
      out += c.toString();
      if (out.includes('"msg":"gateway listening"')) {
        child.stdout!.off("data", onData);
        child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
        resolve();
      }
    };
    child.stdout!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`gateway exited with ${code}: ${out}`)));
  });
  return { child, url: `http://127.0.0.1:${port}`, output: () => out };
}

export async function kill(p: GatewayProcess, signal: NodeJS.Signals): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill(signal);
  await once(p.child, "exit");
}
