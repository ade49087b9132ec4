/**
 * Decides when and how a live sandbox is saved to its state file: a journal batch of what changed,
 * at most about once a second (200 ms after the first unsaved change, never sooner than 1 s after
 * the previous save started), a full rewrite (compaction: temp file, fsync, rename) once the
 * journal outgrows the snapshot or after a failed write, and a last batch on close(). Saves run one
 * at a time. It owns the open file handle and the lock; write-batch.ts builds the lines, and
 * nothing here changes the sandbox state.
 */
import { open, rename, rm, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import type { Logger } from "pino";
import type { IdempotencyStore } from "../idempotency";
import type { SandboxState } from "../state/sandbox-state";
import { syncDirectory, tempPathOf } from "./atomic-file";
import { ChunkedWriter } from "./chunked-writer";
import type { StateFileLock } from "./state-file-lock";
import type { StateIdentity } from "./state-lines";
import { writeChangeBatch, writeSnapshotBatch, type BatchSource } from "./write-batch";

export interface SavePolicy {
  /** Wait after the first unsaved change, so a burst goes into one batch. */
  readonly debounceMs: number;
  /** Least time between the starts of two saves. */
  readonly minIntervalMs: number;
  /** The file is rewritten once its journal is this big and bigger than its snapshot. */
  readonly minCompactJournalBytes: number;
}

/** A journal smaller than 8 MiB is never compacted: rewriting a small file buys nothing. */
export const DEFAULT_SAVE_POLICY: SavePolicy = { debounceMs: 200, minIntervalMs: 1000, minCompactJournalBytes: 8 << 20 };

const MAX_RETRY_MS = 30_000;

export interface StatePersisterOptions {
  readonly file: string;
  readonly state: SandboxState;
  readonly idempotency: IdempotencyStore;
  readonly identity: StateIdentity;
  readonly sandboxNow: () => number;
  readonly logger: Logger;
  readonly lock: StateFileLock;
  /** What is on disk now: header + first batch, and the journal batches after it. */
  readonly snapshotBytes: number;
  readonly journalBytes: number;
  readonly policy?: SavePolicy;
}

export class StatePersister {
  private readonly idemKeys = new Set<string>();
  private readonly policy: SavePolicy;
  private timer: NodeJS.Timeout | null = null;
  /** Saves run one after another on this chain; `queued` counts those not finished. */
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;
  private lastStartedAt = Number.NEGATIVE_INFINITY;
  private appendHandle: FileHandle | null = null;
  /** Set after a failed write: the file may end in a partial batch, so only a rewrite is safe. */
  private needsRewrite = false;
  private failures = 0;
  private closing = false;
  private snapshotBytes: number;
  private journalBytes: number;
  private readonly source: BatchSource;

  constructor(private readonly o: StatePersisterOptions) {
    this.policy = o.policy ?? DEFAULT_SAVE_POLICY;
    this.snapshotBytes = o.snapshotBytes;
    this.journalBytes = o.journalBytes;
    this.source = {
      state: o.state,
      idempotency: o.idempotency,
      sandboxNow: o.sandboxNow,
      takeIdempotencyIds: () => {
        const ids = [...this.idemKeys];
        this.idemKeys.clear();
        return ids;
      },
    };
    o.state.trackChanges(() => this.schedule());
    o.idempotency.onStored = (id) => {
      this.idemKeys.add(id);
      this.schedule();
    };
    if (this.compactionDue()) this.schedule();
  }

  /** Writes everything changed so far and resolves once it is on disk (rejects if it could not be). */
  saveNow(): Promise<void> {
    return this.run();
  }

  /** Writes the last batch (no compaction: shutdown stays quick), closes the file, releases the lock. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.clearTimer();
    this.o.idempotency.onStored = null;
    try {
      await this.queue;
      if (this.needsRewrite || this.hasChanges()) await this.run();
    } finally {
      await this.closeAppend().catch(() => undefined);
      this.o.lock.release();
    }
  }

  private hasChanges(): boolean {
    return this.o.state.hasChanges() || this.idemKeys.size > 0;
  }

  private compactionDue(): boolean {
    return this.journalBytes >= Math.max(this.snapshotBytes, this.policy.minCompactJournalBytes);
  }

  private schedule(): void {
    if (this.closing || this.timer !== null || this.queued > 0) return;
    const backoff = this.failures === 0 ? 0 : Math.min(MAX_RETRY_MS, 1000 * 2 ** this.failures);
    const wait = Math.max(this.policy.debounceMs, this.lastStartedAt + this.policy.minIntervalMs - Date.now(), backoff);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.run().catch(() => undefined);
    }, wait);
    // A pending save must not keep a process alive that is otherwise done (close() saves anyway).
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Queues a save after any running one; when the last queued save ends, changes that arrived
   *  meanwhile get the next timer. */
  private run(): Promise<void> {
    this.clearTimer();
    this.queued += 1;
    const p = this.queue.then(() => this.saveOnce());
    this.queue = p
      .catch(() => undefined)
      .finally(() => {
        this.queued -= 1;
        if (this.queued === 0 && (this.hasChanges() || this.needsRewrite || this.compactionDue())) this.schedule();
      });
    return p;
  }

  private async saveOnce(): Promise<void> {
    this.lastStartedAt = Date.now();
    try {
      if (this.needsRewrite || (!this.closing && this.compactionDue())) await this.compact();
      else if (this.hasChanges()) await this.append();
      this.failures = 0;
    } catch (err) {
      this.failures += 1;
      this.needsRewrite = true;
      await this.closeAppend().catch(() => undefined);
      this.o.logger.error({ err, file: this.o.file }, "sandbox state could not be saved; the next save rewrites the whole file");
      throw err;
    }
  }

  private async append(): Promise<void> {
    this.appendHandle ??= await open(this.o.file, "a", 0o600);
    const w = new ChunkedWriter(this.appendHandle);
    await writeChangeBatch(w, this.source);
    await this.appendHandle.datasync();
    this.journalBytes += w.bytes;
  }

  /** Rewrites the file as one snapshot: temp file, fsync, rename, fsync of the directory. */
  private async compact(): Promise<void> {
    const tmp = tempPathOf(this.o.file);
    const started = Date.now();
    const h = await open(tmp, "w", 0o600);
    const w = new ChunkedWriter(h);
    try {
      await writeSnapshotBatch(w, this.source, this.o.identity);
      await h.sync();
    } catch (err) {
      await h.close().catch(() => undefined);
      await rm(tmp, { force: true }).catch(() => undefined);
      throw err;
    }
    await h.close();
    await this.closeAppend();
    await rename(tmp, this.o.file);
    await syncDirectory(dirname(this.o.file));
    this.snapshotBytes = w.bytes;
    this.journalBytes = 0;
    this.needsRewrite = false;
    this.o.logger.info({ file: this.o.file, bytes: w.bytes, ms: Date.now() - started }, "sandbox state file compacted");
  }

  private async closeAppend(): Promise<void> {
    const h = this.appendHandle;
    this.appendHandle = null;
    await h?.close();
  }
}
