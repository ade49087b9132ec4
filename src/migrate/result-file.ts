/**
 * The per-row result file of a run: CSV in UTF-8 with a BOM (so Excel, what merchants open it
 * with, shows the Japanese right), one line per input row in input order:
 * line, key, status, new_id, error_code, message. Written as the run goes, with backpressure, so a
 * killed run leaves the rows it finished readable.
 */
import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import type { MigrationRowRecord } from "../store/store-types";

const HEADER = "line,key,status,new_id,error_code,message";

/** A cell Excel would run as a formula is written with a leading apostrophe (OWASP CSV injection). */
function cell(v: string | number | null): string {
  let s = v === null ? "" : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function resultLine(r: MigrationRowRecord): string {
  return [r.line, r.key, r.status, r.newId, r.errorCode, r.message].map(cell).join(",");
}

export class ResultFile {
  /** The stream's error (a full disk, a removed mount): every later write rejects with it. */
  private failed: Error | undefined;

  private constructor(private readonly out: WriteStream) {
    out.on("error", (e) => (this.failed ??= e));
  }

  /** `header`: another CSV of the run written the same way (the drift report). */
  static async open(path: string, header = HEADER): Promise<ResultFile> {
    const out = createWriteStream(path, { encoding: "utf8" });
    await Promise.race([once(out, "open"), once(out, "error").then(([e]) => Promise.reject(e as Error))]);
    const f = new ResultFile(out);
    await f.write(`\ufeff${header}`);
    return f;
  }

  async add(r: MigrationRowRecord): Promise<void> {
    await this.write(resultLine(r));
  }

  async addCells(cells: ReadonlyArray<string | number | null>): Promise<void> {
    await this.write(cells.map(cell).join(","));
  }

  private async write(line: string): Promise<void> {
    if (this.failed) throw this.failed;
    // `drain` never comes to a stream that failed: wait for whichever of the two is first.
    if (!this.out.write(`${line}\r\n`)) await Promise.race([once(this.out, "drain"), once(this.out, "close")]);
    if (this.failed) throw this.failed;
  }

  async close(): Promise<void> {
    if (this.failed) throw this.failed;
    await new Promise<void>((resolve, reject) => this.out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
}
