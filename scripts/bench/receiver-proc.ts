/**
 * Bench child: the merchants' kickback endpoint. Answers 200 "OK!!" at once on keep-alive
 * connections and counts arrivals per pid, so the bench can check "each delivered exactly once"
 * and time the first and last arrival (epoch ms with sub-ms precision, comparable across processes).
 */
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { serveRpc } from "./rpc";
import { processUsage } from "./usage";

export interface ReceiverStats {
  readonly total: number;
  readonly unique: number;
  /** Arrivals beyond the first for some pid. */
  readonly duplicates: number;
  readonly firstAt: number | null;
  readonly lastAt: number | null;
}

const epochMs = (): number => performance.timeOrigin + performance.now();
let seen = new Map<string, number>();
let total = 0;
let firstAt: number | null = null;
let lastAt: number | null = null;
let waiter: { unique: number; resolve: () => void } | null = null;

const server = http.createServer((req, res) => {
  const pid = /[?&]pid=(\d+)/.exec(req.url ?? "")?.[1] ?? "none";
  const t = epochMs();
  firstAt ??= t;
  lastAt = t;
  total++;
  seen.set(pid, (seen.get(pid) ?? 0) + 1);
  if (waiter && seen.size >= waiter.unique) waiter.resolve();
  res.writeHead(200, { "content-type": "text/plain", "content-length": "4" });
  res.end("OK!!");
});
server.keepAliveTimeout = 65_000;

function stats(): ReceiverStats {
  return { total, unique: seen.size, duplicates: total - seen.size, firstAt, lastAt };
}

export const receiverHandlers = {
  usage: processUsage,
  async listen(): Promise<{ url: string }> {
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/kickback` };
  },
  async reset(): Promise<null> {
    seen = new Map();
    total = 0;
    firstAt = null;
    lastAt = null;
    return null;
  },
  async stats(): Promise<ReceiverStats> {
    return stats();
  },
  /** Resolves once `unique` distinct pids arrived, or after timeoutMs (bounded), with the stats. */
  async waitForUnique(arg: { unique: number; timeoutMs: number }): Promise<ReceiverStats> {
    if (seen.size < arg.unique) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, arg.timeoutMs);
        waiter = { unique: arg.unique, resolve: () => (clearTimeout(timer), resolve()) };
      });
      waiter = null;
    }
    return stats();
  },
  async close(): Promise<null> {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return null;
  },
};
export type ReceiverHandlers = typeof receiverHandlers;

serveRpc(receiverHandlers);
