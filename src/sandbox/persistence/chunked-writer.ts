/**
 * Buffers state-file lines and writes them to an open file in pieces, telling the caller when to
 * yield (a buffer of ~1 MiB or ~8 ms of work since the last write), so serialising a large state
 * never holds the event loop for long. Knows nothing of what the lines mean.
 */
import type { FileHandle } from "node:fs/promises";
import { performance } from "node:perf_hooks";

const MAX_BUFFERED_CHARS = 1 << 20;
const MAX_SLICE_MS = 8;

export class ChunkedWriter {
  private parts: string[] = [];
  private buffered = 0;
  private sliceStart = performance.now();
  /** Bytes written so far. */
  bytes = 0;

  constructor(private readonly handle: FileHandle) {}

  push(line: string): void {
    this.parts.push(line, "\n");
    this.buffered += line.length + 1;
  }

  /** True when the caller should `await flush()` before building more lines. */
  shouldYield(): boolean {
    return this.buffered >= MAX_BUFFERED_CHARS || performance.now() - this.sliceStart >= MAX_SLICE_MS;
  }

  async flush(): Promise<void> {
    if (this.parts.length > 0) {
      const buf = Buffer.from(this.parts.join(""), "utf8");
      this.parts = [];
      this.buffered = 0;
      for (let off = 0; off < buf.length;) off += (await this.handle.write(buf, off, buf.length - off)).bytesWritten;
      this.bytes += buf.length;
    }
    this.sliceStart = performance.now();
  }
}
