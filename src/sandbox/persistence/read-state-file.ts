/**
 * Loads a state file (format in state-line-schema.ts), synchronously: createSandbox is synchronous
 * and must know its credentials before it returns. Every line is validated with zod; any problem
 * becomes one StateFileError. The only tolerated damage is a torn tail — lines after the last
 * complete batch, left by a crash during an append — which is reported so the caller can cut it
 * off. Reads only; never writes or repairs the file.
 */
import { closeSync, fstatSync, openSync } from "node:fs";
import { applyRecordLine, emptyRecords, type LoadedRecords } from "./loaded-records";
import { readLinesSync } from "./read-lines-sync";
import { StateFileError, describeIssues } from "./state-file-error";
import type { StateIdentity } from "./state-lines";
import { HeaderProbeSchema, HeaderSchema, RecordLineSchema, STATE_FILE_VERSION, type EndLine, type HeaderLine, type RecordLine } from "./state-line-schema";

export interface LoadedState {
  readonly identity: StateIdentity;
  readonly records: LoadedRecords;
  /** The end line of the last complete batch: sequence counter, sandbox and real time of that save. */
  readonly lastSave: EndLine;
  /** Bytes up to the end of the last complete batch; anything after it is a torn tail. */
  readonly committedBytes: number;
  /** Bytes of the header and the first batch (the snapshot); the rest is journal. */
  readonly snapshotBytes: number;
  /** Lines after the last complete batch (0 unless a save was cut short). */
  readonly tornLines: number;
}

const KNOWN_KINDS = new Set<string>(RecordLineSchema.options.map((o) => o.shape.t.value));

type Parsed = { readonly ok: true; readonly line: RecordLine } | { readonly ok: false; readonly problem: string };

/** Null when the file does not exist. */
export function readStateFile(file: string): LoadedState | null {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (err) {
    if (fsCode(err) === "ENOENT") return null;
    throw new StateFileError(file, `cannot be read (${fsMessage(err)})`);
  }
  try {
    if (fstatSync(fd).size === 0) throw new StateFileError(file, "is empty");
    return parseFile(file, fd);
  } catch (err) {
    if (err instanceof StateFileError) throw err;
    throw new StateFileError(file, `cannot be read (${fsMessage(err)})`);
  } finally {
    closeSync(fd);
  }
}

function parseFile(file: string, fd: number): LoadedState {
  const records = emptyRecords();
  let header: HeaderLine | null = null;
  let batch: RecordLine[] = [];
  let lastSave: EndLine | null = null;
  let committedBytes = 0;
  let snapshotBytes = 0;
  let tornLines = 0;
  /** The first bad line after the last complete batch: damage if another batch completes later. */
  let bad: { readonly number: number; readonly problem: string } | null = null;

  readLinesSync(fd, (l) => {
    if (l.number === 1) {
      header = parseHeader(file, l.text);
      committedBytes = l.end;
      return;
    }
    const parsed: Parsed = l.terminated ? parseLine(l.text) : { ok: false, problem: "is cut short (no newline)" };
    if (!parsed.ok) {
      bad ??= { number: l.number, problem: parsed.problem };
      tornLines += 1;
      return;
    }
    if (parsed.line.t !== "end") {
      batch.push(parsed.line);
      tornLines += 1;
      return;
    }
    if (bad) throw new StateFileError(file, `is damaged: line ${bad.number} ${bad.problem}`);
    for (const r of batch) applyRecordLine(records, r);
    batch = [];
    tornLines = 0;
    lastSave = parsed.line;
    committedBytes = l.end;
    if (snapshotBytes === 0) snapshotBytes = l.end;
  });

  const h = header as HeaderLine | null;
  const save = lastSave as EndLine | null;
  if (!h) throw new StateFileError(file, "is empty");
  if (!save) throw new StateFileError(file, "holds no complete snapshot (no batch end line after the header)");
  if (!records.stores.has(h.demo.storeId) || !records.appTokens.has(h.demo.jti)) {
    throw new StateFileError(file, "is inconsistent: the demo store its header names is not in the file");
  }
  const identity: StateIdentity = { jwtKey: Buffer.from(h.jwtKey, "base64url"), platformId: h.platformId, demo: h.demo };
  return { identity, records, lastSave: save, committedBytes, snapshotBytes, tornLines };
}

function parseHeader(file: string, text: string): HeaderLine {
  const json = parseJson(text);
  if (json === undefined) throw new StateFileError(file, "is not valid JSON (line 1)");
  const probe = HeaderProbeSchema.safeParse(json);
  if (!probe.success) throw new StateFileError(file, "is not a sandbox state file (line 1 is not a univapay-sandbox-state header)");
  if (probe.data.version !== STATE_FILE_VERSION) {
    throw new StateFileError(file, `has format version ${JSON.stringify(probe.data.version)}, but this sandbox reads version ${STATE_FILE_VERSION} only`);
  }
  const h = HeaderSchema.safeParse(json);
  if (!h.success) throw new StateFileError(file, `has an invalid header (line 1): ${describeIssues(h.error)}`);
  return h.data;
}

function parseLine(text: string): Parsed {
  const json = parseJson(text);
  if (json === undefined) return { ok: false, problem: "is not valid JSON" };
  const kind = typeof json === "object" && json !== null && "t" in json ? (json as { t: unknown }).t : undefined;
  if (typeof kind !== "string" || !KNOWN_KINDS.has(kind)) return { ok: false, problem: `has an unknown record type ${JSON.stringify(kind ?? null)}` };
  const r = RecordLineSchema.safeParse(json);
  return r.success ? { ok: true, line: r.data } : { ok: false, problem: `(${kind}) is invalid: ${describeIssues(r.error)}` };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function fsCode(err: unknown): string | undefined {
  return typeof err === "object" && err !== null && "code" in err ? String((err as { code: unknown }).code) : undefined;
}

/** The message without "Error: " (duck-typed: errors from another realm fail instanceof). */
function fsMessage(err: unknown): string {
  return typeof err === "object" && err !== null && "message" in err ? String((err as { message: unknown }).message) : String(err);
}
