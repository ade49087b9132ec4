/**
 * What every per-table query module needs: the Kysely handle (the store or an open transaction),
 * the instant codec of the dialect, and the clock for created_at/updated_at.
 */
import type { Kysely } from "kysely";
import type { Database, Dialect, InstantCodec } from "./db-schema";

export interface QueryContext {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  readonly codec: InstantCodec;
  readonly now: () => Date;
  /** Mints a candidate pid; random in production, scripted in tests of the collision path. */
  readonly mintPid: () => string;
}

/** Copies defined values only: a patch key present with `undefined` means "leave unchanged". */
export function definedOnly<T extends object>(patch: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(patch)) {
    if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  }
  return out;
}
