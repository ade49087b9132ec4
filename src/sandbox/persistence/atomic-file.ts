/**
 * File-system steps the state file needs to survive a crash: write-to-temp + fsync + rename (a
 * reader sees the old file or the new one, never half of one), fsync of the directory (so the
 * rename itself is durable), and cutting a torn tail off. Only these primitives; no format.
 */
import { closeSync, fsyncSync, ftruncateSync, openSync, renameSync, writeSync } from "node:fs";
import { open } from "node:fs/promises";
import { dirname } from "node:path";

/** The temporary file a save writes before renaming it over `file` (same directory, so rename is atomic). */
export function tempPathOf(file: string): string {
  return `${file}.tmp`;
}

export function writeFileAtomicSync(file: string, data: string): void {
  const tmp = tempPathOf(file);
  const fd = openSync(tmp, "w", 0o600);
  try {
    const buf = Buffer.from(data, "utf8");
    for (let off = 0; off < buf.length;) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  syncDirectorySync(dirname(file));
}

/** Drops everything after `length` bytes (a batch a crash cut short) and makes that durable. */
export function truncateFileSync(file: string, length: number): void {
  const fd = openSync(file, "r+");
  try {
    ftruncateSync(fd, length);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function syncDirectorySync(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // Some platforms (Windows) cannot fsync a directory; the rename is atomic there all the same.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export async function syncDirectory(dir: string): Promise<void> {
  try {
    const h = await open(dir, "r");
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  } catch {
    // As above: not every platform can fsync a directory.
  }
}
