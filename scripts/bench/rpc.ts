/**
 * A tiny request/response protocol over the Node IPC channel between the bench orchestrator and
 * its child processes (sandbox, gateway, receiver). Children call serveRpc(handlers); the parent
 * calls rpc.call(name, arg). Messages are plain JSON: nothing here knows what a payment is.
 */
import type { ChildProcess } from "node:child_process";

/** A handler table: each command takes one JSON argument and answers one JSON value. */
export type Handlers = Record<string, (arg: never) => Promise<unknown>>;

interface RpcRequest {
  readonly rpcId: number;
  readonly cmd: string;
  readonly arg: unknown;
}
type RpcReply = { readonly rpcId: number; readonly ok: true; readonly value: unknown } | { readonly rpcId: number; readonly ok: false; readonly error: string };

function isRequest(m: unknown): m is RpcRequest {
  return typeof m === "object" && m !== null && "rpcId" in m && "cmd" in m;
}
function isReply(m: unknown): m is RpcReply {
  return typeof m === "object" && m !== null && "rpcId" in m && "ok" in m;
}

/** Child side: answers every request from the parent with its handler's result. */
export function serveRpc(handlers: Handlers): void {
  // After answering "close" the child exits: the parent waits for that exit.
  const send = (r: RpcReply, exitAfter = false): void => {
    process.send?.(r, undefined, undefined, () => {
      if (exitAfter) process.exit(0);
    });
  };
  process.on("message", (m: unknown) => {
    if (!isRequest(m)) return;
    const h = handlers[m.cmd] as ((arg: unknown) => Promise<unknown>) | undefined;
    if (!h) return send({ rpcId: m.rpcId, ok: false, error: `unknown command ${m.cmd}` });
    const exitAfter = m.cmd === "close";
    h(m.arg).then(
      (value) => send({ rpcId: m.rpcId, ok: true, value: value ?? null }, exitAfter),
      (err: unknown) => send({ rpcId: m.rpcId, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }, exitAfter),
    );
  });
  // The parent died or closed the channel: never linger as an orphan holding ports or CPU.
  process.on("disconnect", () => process.exit(0));
}

/** A handler without a parameter is called with null (IPC carries JSON, which has no undefined). */
export type ArgOf<F extends (arg: never) => unknown> = Parameters<F> extends [] ? null : Parameters<F>[0];

export interface RpcClient<H extends Handlers> {
  call<K extends keyof H & string>(cmd: K, arg: ArgOf<H[K]>): Promise<Awaited<ReturnType<H[K]>>>;
}

/** Parent side. A call fails if the child exits before answering, so nothing waits for ever. */
export function createRpcClient<H extends Handlers>(child: ChildProcess, name: string): RpcClient<H> {
  let next = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  child.on("message", (m: unknown) => {
    if (!isReply(m)) return;
    const p = pending.get(m.rpcId);
    if (!p) return;
    pending.delete(m.rpcId);
    if (m.ok) p.resolve(m.value);
    else p.reject(new Error(`${name}: ${m.error}`));
  });
  child.on("exit", (code, signal) => {
    for (const p of pending.values()) p.reject(new Error(`${name} exited (code ${code}, signal ${signal}) before answering`));
    pending.clear();
  });
  return {
    call(cmd, arg) {
      const rpcId = next++;
      return new Promise((resolve, reject) => {
        // The IPC boundary: the child's handler for `cmd` produced this value.
        pending.set(rpcId, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ rpcId, cmd, arg } satisfies RpcRequest);
      });
    },
  };
}
