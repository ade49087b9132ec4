/**
 * One problem found while loading mappings/: file + path + message. The loader collects all of
 * them so a bad table is reported in one go; nothing here throws.
 */
import type { z } from "zod";

export interface MappingProblem {
  readonly file: string;
  /** Dotted path inside the file, "" for the whole file. */
  readonly path: string;
  readonly message: string;
}

export function formatProblem(p: MappingProblem): string {
  return `${p.file}: ${p.path === "" ? "(file)" : p.path}: ${p.message}`;
}

export function zodProblems(file: string, error: z.ZodError): MappingProblem[] {
  return error.issues.map((i) => ({
    file,
    path: i.path.map((seg) => String(seg)).join("."),
    message: innerMessage(i) ?? i.message,
  }));
}

/** zod reports a bad record key as "Invalid key in record" with the real reason nested. */
function innerMessage(issue: z.core.$ZodIssue): string | undefined {
  if (issue.code !== "invalid_key") return undefined;
  const first = issue.issues[0];
  return first === undefined ? undefined : `key: ${first.message}`;
}

/** Collects problems for one file, so compile code reads `p.add("ruleSets.charge", "…")`. */
export class ProblemSink {
  constructor(
    private readonly into: MappingProblem[],
    readonly file: string,
  ) {}
  add(path: string, message: string): void {
    this.into.push({ file: this.file, path, message });
  }
  /** Problems of this file so far: a compile step compares before and after its checks. */
  count(): number {
    return this.into.filter((p) => p.file === this.file).length;
  }
}
