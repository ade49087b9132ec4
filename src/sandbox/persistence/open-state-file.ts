/**
 * Opening a sandbox's state file, in the order createSandbox needs: make the directory, take the
 * lock, load the file if it exists (a StateFileError if it is bad) — then, once the sandbox is
 * built, start() cuts off a torn tail or writes the first snapshot of a new file, and hands over
 * to a StatePersister. The only entry point from sandbox.ts into persistence.
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Logger } from "pino";
import type { IdempotencyStore } from "../idempotency";
import type { SandboxState } from "../state/sandbox-state";
import { truncateFileSync, writeFileAtomicSync } from "./atomic-file";
import { readStateFile, type LoadedState } from "./read-state-file";
import { acquireStateFileLock } from "./state-file-lock";
import { endLine, headerLine, snapshotLines, type StateIdentity } from "./state-lines";
import { StatePersister, type SavePolicy } from "./state-persister";

export interface PersistenceParts {
  readonly state: SandboxState;
  readonly idempotency: IdempotencyStore;
  readonly identity: StateIdentity;
  readonly sandboxNow: () => number;
  readonly logger: Logger;
  readonly policy?: SavePolicy;
}

export interface OpenedStateFile {
  /** Absolute path. */
  readonly file: string;
  /** What the file held; null when it did not exist (a fresh sandbox). */
  readonly loaded: LoadedState | null;
  /** Starts saving. Call once, after the loaded records were restored (or the demo store created). */
  start(parts: PersistenceParts): StatePersister;
  /** Releases the lock when the sandbox could not be built. */
  abandon(): void;
}

export function openStateFile(path: string): OpenedStateFile {
  const file = resolve(path);
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch (err) {
    const why = typeof err === "object" && err !== null && "message" in err ? String((err as { message: unknown }).message) : String(err);
    throw new Error(`Sandbox state file ${file}: cannot create its directory (${why}).`);
  }
  const lock = acquireStateFileLock(file);
  let loaded: LoadedState | null;
  try {
    loaded = readStateFile(file);
  } catch (err) {
    lock.release();
    throw err;
  }
  return {
    file,
    loaded,
    start(parts) {
      let snapshotBytes: number;
      let journalBytes: number;
      if (loaded) {
        if (loaded.tornLines > 0) {
          // A save cut short by a crash: its batch never counted; appending after it would bury it mid-file.
          truncateFileSync(file, loaded.committedBytes);
          parts.logger.warn({ file, lines: loaded.tornLines }, "state file ended in an unfinished save (crash?); those lines were dropped");
        }
        snapshotBytes = loaded.snapshotBytes;
        journalBytes = loaded.committedBytes - loaded.snapshotBytes;
      } else {
        // A new sandbox is small: its first snapshot is written at once, so the credentials it
        // printed survive even a crash right after start.
        const lines = [headerLine(parts.identity, new Date()), ...snapshotLines(parts.state, parts.idempotency), endLine(parts.state, parts.sandboxNow())];
        const text = `${lines.join("\n")}\n`;
        writeFileAtomicSync(file, text);
        snapshotBytes = Buffer.byteLength(text);
        journalBytes = 0;
      }
      return new StatePersister({ ...parts, file, lock, snapshotBytes, journalBytes });
    },
    abandon: () => lock.release(),
  };
}
