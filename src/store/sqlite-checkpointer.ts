/**
 * Moves SQLite's WAL checkpoints off the event loop. better-sqlite3 is synchronous, and an
 * automatic checkpoint runs inside whichever commit crosses the threshold, with an fsync of the
 * database file: every request in flight waits for the disk (measured: the p99 latency tail).
 * Instead the main connection never checkpoints, and a worker thread with its own connection runs
 * PASSIVE checkpoints on an interval. Durability is unchanged: WAL + synchronous=NORMAL commits
 * are safe against process crashes either way; checkpoints only copy committed pages.
 */
import { Worker } from "node:worker_threads";

const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma("busy_timeout = 5000");
const run = () => {
  try { db.pragma("wal_checkpoint(PASSIVE)"); }
  catch (e) { parentPort.postMessage({ error: String(e && e.message || e) }); }
};
const timer = setInterval(run, workerData.intervalMs);
parentPort.on("message", (m) => {
  if (m !== "stop") return;
  clearInterval(timer);
  run();
  db.close();
  parentPort.postMessage({ stopped: true });
});
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

export function startCheckpointer(file: string, intervalMs: number, onError: (message: string) => void): Checkpointer {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { file, intervalMs, driver: require.resolve("better-sqlite3") },
  });
  worker.unref();
  let stopped: Promise<void> | undefined;
  worker.on("message", (m: { error?: string }) => {
    if (m.error) onError(m.error);
  });
  worker.on("error", (err: unknown) => onError(err instanceof Error ? err.message : String(err)));
  return {
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        const done = () => resolve();
        worker.once("exit", done);
        worker.once("message", (m: { stopped?: boolean }) => {
          if (m.stopped) void worker.terminate().then(done, done);
        });
        worker.postMessage("stop");
      });
      return stopped;
    },
  };
}
