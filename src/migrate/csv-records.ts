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
import { CsvParser } from "./csv-parser";

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

interface Piece {
  readonly text: string;
  /** The piece ends with a line end; a piece without one is part of a very long line. */
  readonly ends: boolean;
}

/** Longest piece of a line without a line end handed on at once (a file that is not CSV at all). */
const MAX_PIECE_CHARS = 64 * 1024;

/** Physical lines, each with its line end (CRLF, LF or CR); a CR at a chunk's end waits for the next. */
async function* physicalLines(chunks: AsyncIterable<string>): AsyncGenerator<Piece> {
  let rest = "";
  for await (const text of chunks) {
    rest += text;
    let from = 0;
    for (let i = 0; i < rest.length; i++) {
      const c = rest.charCodeAt(i);
      if (c === 10 || (c === 13 && i + 1 < rest.length && rest.charCodeAt(i + 1) !== 10)) {
        yield { text: rest.slice(from, i + 1), ends: true };
        from = i + 1;
      }
    }
    rest = rest.slice(from);
    // Keep a trailing CR with what follows it (it may be half of a CRLF).
    if (rest.length > MAX_PIECE_CHARS && !rest.endsWith("\r")) {
      yield { text: rest, ends: false };
      rest = "";
    }
  }
  if (rest !== "") yield { text: rest, ends: true };
}

/** A quoted field may run over this many line ends; past them its opening quote was a stray one. */
const MAX_QUOTED_LINES = 50;
/** A record inside quotes is held for a re-read up to this size; a longer one is only reported. */
const MAX_HELD_CHARS = 2 * 1024 * 1024;

/**
 * Records, with a stray quote contained: a record whose quoted field ran over line ends and then
 * broke (text after its closing quote, no closing quote before the end, too many lines) is
 * reported at the line it started on, and the lines after that one are read again, so one bad row
 * never swallows the rows that follow it.
 */
async function* parse(chunks: AsyncIterable<string>): AsyncGenerator<CsvRecord | CsvProblem> {
  let parser = new CsvParser();
  /** The pieces of the record in progress while it is inside quotes; null: too big to re-read. */
  let held: Piece[] | null = [];
  let heldChars = 0;
  let heldFrom = 1;
  let line = 1;
  const heldLines = () => (held ?? []).filter((p) => p.ends).length;

  /** Reports the record that began at `problem.line` and reads the pieces after that line again. */
  function* restart(problem: CsvProblem, pieces: Piece[]): Generator<CsvRecord | CsvProblem> {
    yield { line: problem.line, reason: `${problem.reason} (a quote opened on this line; the lines after it are read on their own)` };
    const firstEnd = pieces.findIndex((p) => p.ends);
    const again = pieces.slice(firstEnd + 1);
    parser = new CsvParser(problem.line + 1);
    line = problem.line + 1;
    held = [];
    heldChars = 0;
    for (const p of again) yield* take(p);
  }

  function* take(piece: Piece): Generator<CsvRecord | CsvProblem> {
    if (held !== null && held.length === 0) heldFrom = line;
    const pieces = held === null ? null : [...held, piece];
    const out = parser.feed(piece.text);
    if (piece.ends) line++;
    for (const r of out) {
      // One piece ends at most one record, so nothing after this problem is lost by the re-read.
      if (isCsvProblem(r) && pieces !== null && r.line === heldFrom && pieces.filter((p) => p.ends).length > 1) {
        yield* restart(r, pieces);
        return;
      }
      yield r;
    }
    if (!parser.inQuotes) {
      held = [];
      heldChars = 0;
      return;
    }
    if (pieces === null) return;
    heldChars += piece.text.length;
    held = heldChars > MAX_HELD_CHARS ? null : pieces;
    if (held !== null && heldLines() > MAX_QUOTED_LINES) {
      yield* restart({ line: heldFrom, reason: `a quoted field runs over more than ${MAX_QUOTED_LINES} lines` }, held);
    }
  }

  for await (const piece of physicalLines(chunks)) yield* take(piece);
  for (;;) {
    const out = parser.end();
    const pieces = held;
    const unclosed = out.find((r): r is CsvProblem => isCsvProblem(r) && r.line === heldFrom);
    if (!unclosed || pieces === null || pieces.filter((p) => p.ends).length < 2) {
      yield* out;
      return;
    }
    yield* restart(unclosed, pieces);
  }
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
