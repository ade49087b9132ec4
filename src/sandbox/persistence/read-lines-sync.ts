/**
 * Reads a file line by line, synchronously, in fixed-size chunks, so a state file of any size is
 * loaded without one giant string (V8 caps a string at ~512 MiB). Splitting on the 0x0A byte is
 * safe for UTF-8: no multi-byte character contains it. Read-only; knows nothing of the format.
 */
import { readSync } from "node:fs";

export interface FileLine {
  readonly text: string;
  /** 1-based. */
  readonly number: number;
  /** Byte offset just past this line (past its newline when it has one). */
  readonly end: number;
  /** False for a last line without a newline (a write cut short). */
  readonly terminated: boolean;
}

const CHUNK_BYTES = 4 << 20;

export function readLinesSync(fd: number, visit: (line: FileLine) => void): void {
  const buf = Buffer.allocUnsafe(CHUNK_BYTES);
  let carry: Buffer[] = [];
  let chunkStart = 0;
  let number = 0;
  const emit = (piece: Buffer, end: number, terminated: boolean): void => {
    const bytes = carry.length === 0 ? piece : Buffer.concat([...carry, piece]);
    carry = [];
    visit({ text: bytes.toString("utf8"), number: ++number, end, terminated });
  };
  for (;;) {
    const n = readSync(fd, buf, 0, CHUNK_BYTES, null);
    if (n === 0) break;
    const view = buf.subarray(0, n);
    let start = 0;
    for (let nl = view.indexOf(0x0a, start); nl !== -1; nl = view.indexOf(0x0a, start)) {
      emit(view.subarray(start, nl), chunkStart + nl + 1, true);
      start = nl + 1;
    }
    // The buffer is reused for the next chunk: keep a copy of the unfinished line.
    if (start < n) carry.push(Buffer.from(view.subarray(start)));
    chunkStart += n;
  }
  if (carry.length > 0) emit(Buffer.alloc(0), chunkStart, false);
}
