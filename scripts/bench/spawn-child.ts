/**
 * Forks one compiled bench child (dist/scripts/bench/<name>.js) with an IPC channel. Its stdout
 * and stderr both go to our stderr, so the bench's stdout stays the results only. stop() asks the
 * child to close, then kills that one pid if it does not exit in time.
 */
import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { createRpcClient, type ArgOf, type Handlers, type RpcClient } from "./rpc";

export interface BenchChild<H extends Handlers> {
  readonly name: string;
  readonly pid: number;
  readonly rpc: RpcClient<H>;
  /** Sends "close" (if the child has it), waits up to graceMs for exit, then SIGKILLs this pid. */
  stop(graceMs?: number): Promise<void>;
}

export function spawnChild<H extends Handlers & { close: () => Promise<unknown> }>(name: string, execArgv: readonly string[] = []): BenchChild<H> {
  const child: ChildProcess = fork(join(__dirname, `${name}.js`), [], {
    stdio: ["ignore", 2, 2, "ipc"],
    execArgv: [...execArgv],
  });
  if (child.pid === undefined) throw new Error(`could not fork ${name}`);
  const rpc = createRpcClient<H>(child, name);
  let exited = child.exitCode !== null;
  child.once("exit", () => {
    exited = true;
  });
  return {
    name,
    pid: child.pid,
    rpc,
    async stop(graceMs = 10_000) {
      if (exited) return;
      const gone = once(child, "exit");
      // Every bench child has a parameterless "close" (the H constraint), so null is its argument.
      await rpc.call("close", null as ArgOf<H["close"]>).catch(() => undefined);
      const timer = setTimeout(() => {
        if (!exited) child.kill("SIGKILL");
      }, graceMs);
      await gone;
      clearTimeout(timer);
    },
  };
}
