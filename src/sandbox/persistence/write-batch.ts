/**
 * Writes one batch of state-file lines through a ChunkedWriter, ending with the batch's end line:
 * either what changed since the last batch, or a whole snapshot (header, every record). Large
 * batches go out in slices that yield to the event loop; whatever changes meanwhile is written
 * again until the rest is small enough to build at once, so a finished batch shows one moment of
 * the state. Reads the state and takes its change set; never opens, syncs or renames files.
 */
import type { IdempotencyStore } from "../idempotency";
import type { SandboxState } from "../state/sandbox-state";
import type { ChunkedWriter } from "./chunked-writer";
import { endLine, headerLine, idempotencyLine, lineForChangedKey, snapshotLines, type StateIdentity } from "./state-lines";

/** Changed keys a batch builds in one go (≈ 15 ms of JSON); above this it is written in slices first. */
const ONE_GO_KEYS = 4000;

export interface BatchSource {
  readonly state: SandboxState;
  readonly idempotency: IdempotencyStore;
  /** Ids of idempotency records stored since the last take (the store reports them one by one). */
  readonly takeIdempotencyIds: () => string[];
  readonly sandboxNow: () => number;
}

/** Lines of every key changed since the last take, then the end line. */
export async function writeChangeBatch(w: ChunkedWriter, src: BatchSource): Promise<void> {
  for (;;) {
    const keys = src.state.takeChanges();
    const idem = src.takeIdempotencyIds();
    const oneGo = keys.size + idem.length <= ONE_GO_KEYS;
    for (const k of keys) {
      w.push(lineForChangedKey(src.state, k));
      if (!oneGo && w.shouldYield()) await w.flush();
    }
    for (const id of idem) {
      const line = idempotencyLine(src.idempotency, id);
      if (line !== null) w.push(line);
      if (!oneGo && w.shouldYield()) await w.flush();
    }
    if (oneGo) {
      w.push(endLine(src.state, src.sandboxNow()));
      await w.flush();
      return;
    }
  }
}

/** Header, every record, then (as a change batch) whatever changed while they were written. */
export async function writeSnapshotBatch(w: ChunkedWriter, src: BatchSource, identity: StateIdentity): Promise<void> {
  // The snapshot covers every change so far; later ones are caught up below.
  src.state.takeChanges();
  src.takeIdempotencyIds();
  w.push(headerLine(identity, new Date()));
  for (const line of snapshotLines(src.state, src.idempotency)) {
    w.push(line);
    if (w.shouldYield()) await w.flush();
  }
  await writeChangeBatch(w, src);
}
