/**
 * The command-line channel's rendering of errors: one line per problem on stderr, and an exit
 * code (1 for a failure, 2 for a wrong command line). Never a stack trace.
 */
import { isAppError } from "../errors/app-error";

/** A command line that does not say what it means (unknown option, missing value). */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

export function renderCliError(err: unknown, write: (line: string) => void): number {
  if (err instanceof UsageError) {
    write(`usage: ${err.message}`);
    return 2;
  }
  if (isAppError(err)) {
    write(`error: ${err.message}`);
    for (const d of err.details) write(`  - ${d.path}: ${d.message}`);
    return 1;
  }
  write(`error: ${err instanceof Error ? err.message : String(err)}`);
  return 1;
}
