/**
 * One streaming pass over an input file before a run: its SHA-256 (a rerun of the same bytes
 * resumes the same run; an edited file is a new run) and its line count (the progress total; a
 * quoted field with a newline makes it a slight over-count, never an under-count).
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";

export interface FileDigest {
  readonly sha256: string;
  readonly lines: number;
  readonly bytes: number;
}

const LF = 0x0a;
const CR = 0x0d;

export async function digestFile(path: string): Promise<FileDigest> {
  const hash = createHash("sha256");
  let lines = 0;
  let bytes = 0;
  let last = -1;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
    for (let i = chunk.indexOf(LF); i !== -1; i = chunk.indexOf(LF, i + 1)) lines++;
    // Old Mac exports end lines with CR alone; count those when the file has no LF at all.
    last = chunk[chunk.length - 1] ?? last;
  }
  if (lines === 0 && bytes > 0) {
    let crs = 0;
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      for (let i = chunk.indexOf(CR); i !== -1; i = chunk.indexOf(CR, i + 1)) crs++;
    }
    lines = crs;
  }
  if (bytes > 0 && last !== LF && last !== CR) lines++;
  return { sha256: hash.digest("hex"), lines, bytes };
}
