/**
 * The one error a bad state file produces: names the file, says in a sentence what is wrong and
 * that deleting the file starts a fresh sandbox. zod issues are reduced to their first path and
 * message, so a caller never sees validation internals. Builds messages only; never touches files.
 */
import type { z } from "zod";

export class StateFileError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`Sandbox state file ${file} ${problem}. Delete the file to start a fresh sandbox (its stores, credentials and payments are then lost).`);
    this.name = "StateFileError";
  }
}

/** "card.number is neither a documented test card nor a masked card number (and 2 more problems)". */
export function describeIssues(error: z.ZodError): string {
  const [first, ...rest] = error.issues;
  if (!first) return "does not match the expected shape";
  const where = first.path.length === 0 ? "the line" : first.path.map(String).join(".");
  const more = rest.length === 0 ? "" : ` (and ${rest.length} more problem${rest.length === 1 ? "" : "s"})`;
  return `${where}: ${first.message}${more}`;
}
