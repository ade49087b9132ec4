/**
 * One sandbox per state file: a `<file>.lock` holding the owner's pid, created exclusively. Two
 * sandboxes appending to one file would interleave batches and corrupt it, so a second opener
 * fails with a clear message instead. A lock left by a process that no longer runs (killed) is
 * taken over. Owns only the lock file; never touches the state file itself.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";

export interface StateFileLock {
  readonly lockFile: string;
  release(): void;
}

/** Lock files this process holds: the pid check cannot tell two sandboxes of one process apart. */
const heldHere = new Set<string>();

export function acquireStateFileLock(stateFile: string): StateFileLock {
  const lockFile = `${stateFile}.lock`;
  if (heldHere.has(lockFile)) {
    throw new Error(`Sandbox state file ${stateFile} is already open in this process: close() that sandbox first.`);
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(lockFile, "wx", 0o600);
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      heldHere.add(lockFile);
      return { lockFile, release: () => release(lockFile) };
    } catch (err) {
      if (codeOf(err) !== "EEXIST") throw new Error(`Sandbox state file ${stateFile}: cannot create its lock file ${lockFile} (${messageOf(err)}).`);
    }
    const owner = ownerOf(lockFile);
    // Our own pid in a lock we do not hold is a leftover of an earlier process that had the same
    // pid (containers reuse pid 1): stale, like one of a dead process.
    if (owner !== null && owner !== process.pid && isRunning(owner)) {
      throw new Error(
        `Sandbox state file ${stateFile} is in use by process ${owner} (lock file ${lockFile}). Stop that sandbox first, or delete the lock file if no sandbox is running.`,
      );
    }
    try {
      unlinkSync(lockFile);
    } catch {
      // Another process took it over at the same moment: the next attempt decides.
    }
  }
  throw new Error(`Sandbox state file ${stateFile}: could not take its lock file ${lockFile}.`);
}

function release(lockFile: string): void {
  if (!heldHere.delete(lockFile)) return;
  try {
    if (ownerOf(lockFile) === process.pid) unlinkSync(lockFile);
  } catch {
    // Already gone: nothing to release.
  }
}

function ownerOf(lockFile: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(lockFile, "utf8").trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, under another user.
    return codeOf(err) === "EPERM";
  }
}

function codeOf(err: unknown): string | undefined {
  return typeof err === "object" && err !== null && "code" in err ? String((err as { code: unknown }).code) : undefined;
}

function messageOf(err: unknown): string {
  return typeof err === "object" && err !== null && "message" in err ? String((err as { message: unknown }).message) : String(err);
}
