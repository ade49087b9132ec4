/**
 * Keeps SQLite's WAL small without checkpointing on the event loop in the common case.
 *
 * better-sqlite3 is synchronous, and an automatic checkpoint runs inside whichever commit crosses
 * the threshold, with an fsync of the database file: every request in flight waits for the disk
 * (measured: the p99 latency tail). So the main connection never checkpoints automatically, and a
 * worker thread with its own connection runs PASSIVE checkpoints on an interval, copying the bulk
 * of the WAL into the database file off the event loop.
 *
 * The worker alone is not enough under sustained writes: SQLite rewinds the WAL only when a write
 * transaction's read snapshot began after a complete checkpoint, and with one transaction after
 * another on the main connection that moment never comes. The WAL then grew without bound
 * (measured: 6 GB after 80,000 payments) and every page read got slower, because readers search
 * the WAL index (store cost per payment 210 → 550 µs). So when the worker reports a large WAL, the
 * main connection runs one PASSIVE checkpoint itself, between transactions: the worker has just
 * copied nearly everything, so this copies only the last few frames, and since the main connection
 * is the only writer it completes, and its next commit starts the WAL from the beginning.
 *
 * Durability is unchanged: WAL + synchronous=NORMAL commits are safe against process crashes
 * either way; checkpoints only copy committed pages.
 */
import { Worker } from "node:worker_threads";
import type BetterSqlite3 from "better-sqlite3";

/** When the worker reports a WAL of at least this many frames (of one page), the main connection
 *  checkpoints once so the WAL can rewind. 4,096 frames = 16 MiB with 4 KiB pages: about half a
 *  second of writes at a thousand payments a second, so each main-thread pass is short and rare. */
export const FINISH_ON_MAIN_AFTER_FRAMES = 4096;
/** The WAL file is cut back to this size when it rewinds, so one burst does not keep disk space. */
export const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;
/** Tries to find the main connection between transactions before waiting for the next report. */
const MAX_FINISH_TRIES = 100;

const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma("busy_timeout = 5000");
const run = () => {
  try {
    const r = db.pragma("wal_checkpoint(PASSIVE)")[0] || {};
    parentPort.postMessage({ progress: { busy: r.busy, walFrames: r.log, checkpointedFrames: r.checkpointed } });
  } catch (e) {
    parentPort.postMessage({ error: String(e && e.message || e) });
  }
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

export interface CheckpointProgress {
  /** 1 when another checkpoint held the lock (nothing was copied). */
  readonly busy: number;
  /** Frames in the WAL (-1 when the database is not in WAL mode). */
  readonly walFrames: number;
  /** Frames already copied into the database file. */
  readonly checkpointedFrames: number;
}

export interface CheckpointerOptions {
  readonly intervalMs: number;
  readonly onError: (message: string) => void;
  /** Default FINISH_ON_MAIN_AFTER_FRAMES (tests lower it). */
  readonly finishOnMainAfterFrames?: number;
  /** Called after each checkpoint, the worker's and the main connection's (tests, metrics). */
  readonly onProgress?: (p: CheckpointProgress & { readonly by: "worker" | "main" }) => void;
}

export interface Checkpointer {
  stop(): Promise<void>;
}

/**
 * Pure: should the main connection run a checkpoint itself? Whenever the WAL is large, even if
 * the worker copied every frame: SQLite rewinds the WAL only at the start of a write whose read
 * snapshot began after a complete checkpoint, and under sustained writes the main connection's
 * next transaction has nearly always begun before the worker finished (measured: complete
 * checkpoints reported over and over while the WAL kept growing). A checkpoint on the main
 * connection happens between its own transactions, so its next write does rewind.
 */
export function needsFinishOnMain(p: CheckpointProgress, thresholdFrames = FINISH_ON_MAIN_AFTER_FRAMES): boolean {
  return p.busy === 0 && p.walFrames >= thresholdFrames;
}

/**
 * The main connection's half: given the worker's reports, runs one checkpoint between its own
 * transactions when the WAL is large. The returned handler is what the worker's messages feed.
 */
export function createMainFinisher(
  main: BetterSqlite3.Database,
  opts: Pick<CheckpointerOptions, "onError" | "onProgress" | "finishOnMainAfterFrames"> & { readonly stopped: () => boolean },
): (p: CheckpointProgress) => void {
  let finishing = false;
  // Only between transactions: a checkpoint inside one is refused, and Kysely's transactions on
  // this single connection span several ticks. Each try is one macrotask later.
  const finish = (tries: number): void => {
    if (opts.stopped() || !main.open) {
      finishing = false;
      return;
    }
    if (main.inTransaction) {
      if (tries < MAX_FINISH_TRIES) setImmediate(() => finish(tries + 1));
      else finishing = false;
      return;
    }
    finishing = false;
    try {
      const r = (main.pragma("wal_checkpoint(PASSIVE)") as Array<{ busy: number; log: number; checkpointed: number }>)[0];
      if (r) opts.onProgress?.({ by: "main", busy: r.busy, walFrames: r.log, checkpointedFrames: r.checkpointed });
    } catch (e) {
      opts.onError(e instanceof Error ? e.message : String(e));
    }
  };
  return (p) => {
    if (finishing || !needsFinishOnMain(p, opts.finishOnMainAfterFrames)) return;
    finishing = true;
    setImmediate(() => finish(0));
  };
}

export function startCheckpointer(main: BetterSqlite3.Database, file: string, opts: CheckpointerOptions): Checkpointer {
  main.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { file, intervalMs: opts.intervalMs, driver: require.resolve("better-sqlite3") },
  });
  worker.unref();
  let stopped: Promise<void> | undefined;
  const onWorkerProgress = createMainFinisher(main, { ...opts, stopped: () => stopped !== undefined });

  worker.on("message", (m: { error?: string; progress?: CheckpointProgress }) => {
    if (m.error) opts.onError(m.error);
    if (!m.progress) return;
    opts.onProgress?.({ by: "worker", ...m.progress });
    onWorkerProgress(m.progress);
  });
  worker.on("error", (err: unknown) => opts.onError(err instanceof Error ? err.message : String(err)));
  return {
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        const done = () => resolve();
        worker.once("exit", done);
        // Progress messages may come first: wait for the one that says the worker is done.
        worker.on("message", (m: { stopped?: boolean }) => {
          if (m.stopped) void worker.terminate().then(done, done);
        });
        worker.postMessage("stop");
      });
      return stopped;
    },
  };
}
