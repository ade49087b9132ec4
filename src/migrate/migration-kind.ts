/**
 * The shape of one input kind of `npm run migrate` (members, payments, …): how a row is read, what
 * is checked against UnivaPay and the store before anything is written, and the write itself.
 * The runner owns everything else (reading, pacing, retries, checkpoint, results), so a new kind is
 * one module in kinds/ and one entry of MIGRATION_KIND_FIELDS.
 */
import type { Merchant } from "../config/merchants";
import type { MappingTable } from "../mapping";
import type { MigrationKind } from "../mapping/migration-schema";
import type { Store, StoreOps } from "../store/store-types";
import type { UnivapayClient } from "../univapay/univapay-client";
import type { RowOutcome } from "./row-outcome";

export interface MigrationContext {
  readonly client: UnivapayClient;
  readonly store: Store;
  readonly table: MappingTable;
  readonly merchant: Merchant;
}

/** A row's fields by name (layout applied); optional fields absent or "" when the file has none. */
export type RowFields = Readonly<Record<string, string>>;

export type RowCheck<P> = { readonly ok: true; readonly plan: P; readonly newId: string } | { readonly ok: false; readonly outcome: RowOutcome };

export interface MigrationKindModule<P = unknown> {
  readonly kind: MigrationKind;
  /** The legacy id the row maps (its key in the result file). */
  keyOf(fields: RowFields): string;
  /** The row's own text: a RowOutcome when it cannot be a mapping whatever UnivaPay says. */
  validate(fields: RowFields): RowOutcome | undefined;
  /** Reads only (UnivaPay GETs, store reads): may throw AppErrors of the client. */
  check(ctx: MigrationContext, fields: RowFields): Promise<RowCheck<P>>;
  /** Stores the mapping inside the runner's transaction (which records the row with it). */
  apply(tx: StoreOps, ctx: MigrationContext, plan: P): Promise<RowOutcome>;
}
