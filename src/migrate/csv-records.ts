/**
 * Records out of a CSV file as Japanese merchants export them: UTF-8 (with or without a BOM) or
 * Shift_JIS (decoded as CP932, so NEC/IBM extensions such as ①, ㈱ and 髙 survive), RFC 4180
 * quoting, CRLF, LF or CR line ends. Streamed chunk by chunk so a million-line export reads in flat
 * memory, and a malformed record comes out as a problem of its line while reading goes on: one bad
 * row must never stop a migration run.
 */
import { isUtf8 } from "node:buffer";
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import iconv from "iconv-lite";

export type CsvEncoding = "utf-8" | "shift_jis";
/** `line`: the 1-based physical line the record starts on. */
export interface CsvRecord {
  readonly line: number;
  readonly cells: readonly string[];
}
export interface CsvProblem {
  readonly line: number;
  readonly reason: string;
}
export interface CsvReadOptions {
  readonly encoding?: CsvEncoding | "auto";
}
export interface CsvSource {
  readonly encoding: CsvEncoding;
  records(): AsyncGenerator<CsvRecord | CsvProblem>;
}

const CHUNK_BYTES = 64 * 1024;
/**
 * A stray quote makes the rest of the file one field; past this many characters the record is
 * reported instead of held, which keeps memory flat even then.
 */
const MAX_RECORD_CHARS = 1024 * 1024;

export function isCsvProblem(x: CsvRecord | CsvProblem): x is CsvProblem {
  return "reason" in x;
}

/** The sniffed bytes may end inside a character; that cut-off tail says nothing against UTF-8. */
function dropCutSequence(b: Buffer): Buffer {
  for (let back = 1; back <= 3 && back <= b.length; back++) {
    const c = b[b.length - back]!;
    if ((c & 0xc0) === 0x80) continue;
    if (c < 0xc2 || c > 0xf4) return b;
    const len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
    return len > back ? b.subarray(0, b.length - back) : b;
  }
  return b;
}

function detect(head: Buffer, truncated: boolean, wanted: CsvEncoding | "auto"): CsvEncoding {
  if (wanted !== "auto") return wanted;
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return "utf-8";
  return isUtf8(truncated ? dropCutSequence(head) : head) ? "utf-8" : "shift_jis";
}

/** Stateful decoders, so a character split between two chunks still comes out whole. */
async function* decode(bytes: AsyncIterable<Buffer>, encoding: CsvEncoding): AsyncGenerator<string> {
  if (encoding === "utf-8") {
    const utf8 = new TextDecoder("utf-8"); // drops a leading BOM by default
    for await (const chunk of bytes) yield utf8.decode(chunk, { stream: true });
    yield utf8.decode();
  } else {
    const sjis = iconv.getDecoder("cp932");
    for await (const chunk of bytes) yield sjis.write(chunk);
    yield sjis.end() ?? "";
  }
}

const COMMA = 44;
const LF = 10;
const CR = 13;
const QUOTE = 34;

const enum Mode {
  /** Nothing of the current field read yet: a quote here opens a quoted field. */
  FieldStart,
  Unquoted,
  Quoted,
  /** A quote inside a quoted field: closing, or the first of a doubled pair if another follows. */
  QuoteSeen,
}

/** RFC 4180 as a state machine fed text chunks of any size; it holds only the record in progress. */
class CsvParser {
  private mode = Mode.FieldStart;
  private cells: string[] = [];
  private field = "";
  private size = 0;
  private broken: string | undefined;
  private line = 1;
  private recordLine = 1;
  /** The last chunk ended in a CR: an LF opening the next one is the rest of that CRLF. */
  private crPending = false;
  private out: (CsvRecord | CsvProblem)[] = [];

  feed(text: string): (CsvRecord | CsvProblem)[] {
    const n = text.length;
    let i = 0;
    if (this.crPending && n > 0) {
      this.crPending = false;
      if (text.charCodeAt(0) === LF) {
        if (this.mode === Mode.Quoted) this.append("\n");
        i = 1;
      }
    }
    while (i < n) {
      if (this.mode === Mode.Quoted) {
        let j = i;
        for (; j < n; j++) {
          const c = text.charCodeAt(j);
          if (c === QUOTE) break;
          if (c === CR || (c === LF && (j === 0 || text.charCodeAt(j - 1) !== CR))) this.line++;
        }
        this.append(text.slice(i, j));
        if (j < n) this.mode = Mode.QuoteSeen;
        i = j + 1;
        continue;
      }
      const c = text.charCodeAt(i);
      if (this.mode === Mode.QuoteSeen) {
        if (c === QUOTE) {
          this.append('"');
          this.mode = Mode.Quoted;
          i++;
          continue;
        }
        if (c !== COMMA && c !== LF && c !== CR) {
          this.broken ??= "text after the closing quote of a field";
          this.mode = Mode.Unquoted;
        }
      }
      // Unquoted text runs up to the next special character and is sliced in one piece.
      let j = i;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === COMMA || d === LF || d === CR || d === QUOTE) break;
        j++;
      }
      if (j > i) {
        this.append(text.slice(i, j));
        this.mode = Mode.Unquoted;
        i = j;
        if (i === n) break;
      }
      const s = text.charCodeAt(i);
      i++;
      if (s === COMMA) {
        // A comma counts toward the record's size too, so a line of a million commas is capped.
        if (this.grow(1)) this.cells.push(this.field);
        this.field = "";
        this.mode = Mode.FieldStart;
      } else if (s === QUOTE) {
        if (this.mode === Mode.FieldStart) this.mode = Mode.Quoted;
        else this.broken ??= "a quote inside an unquoted field";
      } else {
        this.endRecord();
        this.line++;
        this.recordLine = this.line;
        if (s === CR) {
          if (i === n) this.crPending = true;
          else if (text.charCodeAt(i) === LF) i++;
        }
      }
    }
    if (n > 0 && text.charCodeAt(n - 1) === CR && this.mode === Mode.Quoted) this.crPending = true;
    const done = this.out;
    this.out = [];
    return done;
  }

  /** What is left at the end of the input: a last record without its newline, or an open quote. */
  end(): (CsvRecord | CsvProblem)[] {
    if (this.mode === Mode.Quoted) {
      this.out.push({ line: this.recordLine, reason: "a quoted field is not closed before the end of the file" });
      this.reset();
    } else {
      this.endRecord();
    }
    const done = this.out;
    this.out = [];
    return done;
  }

  private append(s: string): void {
    if (this.grow(s.length)) this.field += s;
  }

  /** Counts `n` more characters of the record; false once it is broken (only reported, never built). */
  private grow(n: number): boolean {
    if (this.broken !== undefined) return false;
    this.size += n;
    if (this.size > MAX_RECORD_CHARS) this.broken = `the record is longer than ${MAX_RECORD_CHARS} characters`;
    return this.broken === undefined;
  }

  private endRecord(): void {
    // A line with no characters at all is no record; a line of commas is one of empty cells.
    if (this.mode === Mode.FieldStart && this.cells.length === 0) return;
    if (this.broken !== undefined) this.out.push({ line: this.recordLine, reason: this.broken });
    else {
      this.cells.push(this.field);
      this.out.push({ line: this.recordLine, cells: this.cells });
    }
    this.reset();
  }

  private reset(): void {
    this.mode = Mode.FieldStart;
    this.cells = [];
    this.field = "";
    this.size = 0;
    this.broken = undefined;
  }
}

async function* parse(chunks: AsyncIterable<string>): AsyncGenerator<CsvRecord | CsvProblem> {
  const parser = new CsvParser();
  for await (const text of chunks) yield* parser.feed(text);
  yield* parser.end();
}

export async function openCsv(path: string, opts: CsvReadOptions = {}): Promise<CsvSource> {
  let head: Buffer;
  let size: number;
  try {
    const fh = await open(path, "r");
    try {
      size = (await fh.stat()).size;
      const buf = Buffer.alloc(CHUNK_BYTES);
      const { bytesRead } = await fh.read(buf, 0, CHUNK_BYTES, 0);
      head = buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`cannot open CSV file ${path}: ${why.replace(/\s+/g, " ")}`);
  }
  const encoding = detect(head, size > head.length, opts.encoding ?? "auto");
  return {
    encoding,
    records: () => parse(decode(createReadStream(path, { highWaterMark: CHUNK_BYTES }) as AsyncIterable<Buffer>, encoding)),
  };
}

export function csvFromBuffer(buf: Buffer, opts: CsvReadOptions = {}): CsvSource {
  const encoding = detect(buf.subarray(0, CHUNK_BYTES), buf.length > CHUNK_BYTES, opts.encoding ?? "auto");
  // Fed in file-sized chunks so a buffer takes exactly the path a file does.
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let at = 0; at < buf.length; at += CHUNK_BYTES) yield buf.subarray(at, at + CHUNK_BYTES);
  }
  return { encoding, records: () => parse(decode(chunks(), encoding)) };
}
