/**
 * The shape of one numbered migration and the ordered list of all of them. A migration is a list
 * of plain DDL statements per dialect, applied in one transaction with its schema_migrations row.
 */
import { migration0001Init } from "./migration-0001-init";

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sqlite: readonly string[];
  readonly postgres: readonly string[];
}

/** Append only; versions strictly increasing. */
export const MIGRATIONS: readonly Migration[] = [migration0001Init];
