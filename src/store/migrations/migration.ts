/**
 * The shape of one numbered migration: plain DDL statements per dialect, applied in one
 * transaction with its schema_migrations row. The ordered list lives in migrations.ts.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sqlite: readonly string[];
  readonly postgres: readonly string[];
}
