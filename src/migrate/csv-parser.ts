/**
 * RFC 4180 as a state machine fed text chunks of any size: it holds only the record in progress,
 * counts physical lines (CRLF, LF or CR), and reports a malformed record as a problem of the line
 * it starts on, never building it.
 */
import type { CsvProblem, CsvRecord } from "./csv-records";

/**
 * Past this many characters a record is reported instead of held, which keeps memory flat even
 * for a file that is not CSV at all.
 */
const MAX_RECORD_CHARS = 1024 * 1024;

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
export class CsvParser {
  private mode = Mode.FieldStart;
  private cells: string[] = [];
  private field = "";
  private size = 0;
  private broken: string | undefined;
  private line: number;
  private recordLine: number;
  /** The last chunk ended in a CR: an LF opening the next one is the rest of that CRLF. */
  private crPending = false;
  private out: (CsvRecord | CsvProblem)[] = [];

  /** `firstLine`: the physical line number of the first character fed. */
  constructor(firstLine = 1) {
    this.line = firstLine;
    this.recordLine = firstLine;
  }

  /** Inside a quoted field: the record goes on past the line end just fed. */
  get inQuotes(): boolean {
    return this.mode === Mode.Quoted;
  }

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
