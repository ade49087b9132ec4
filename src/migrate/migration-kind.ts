/**
 * The shape of one input kind of `npm run migrate` (members, payments, …): how a row is read, what
 * is checked against UnivaPay and the store before anything is written, and the write itself.
 * The runner owns everything else (reading, pacing, retries, checkpoint, results), so a new kind is
 * one module in kinds/ and one entry of MIGRATION_KIND_FIELDS.
 */
import type { Merchant } from "../config/merchants";
import type { DriftNote } from "../recurring/drift-notes";
import type { MappingTable } from "../mapping";
import type { MigrationKind } from "../mapping/migration-schema";
import type { MigrationRowRecord, Store, StoreOps } from "../store/store-types";
import type { UnivapayClient } from "../univapay/univapay-client";
import type { RowOutcome } from "./row-outcome";

export interface MigrationContext {
  readonly client: UnivapayClient;
  readonly store: Store;
  readonly table: MappingTable;
  readonly merchant: Merchant;
  /** The clock "today" is read from (Asia/Tokyo dates): the gateway's. */
  readonly now: () => Date;
  /** `autobillings --create`: the fewest days from today to a row's next legacy billing date. */
  readonly minLeadDays: number;
}

/** What a kind's steps see: the caller's context and whether this run writes anything. */
export interface RowContext extends MigrationContext {
  /** All checks, no writes, no creates: a kind may check here what a real run leaves to UnivaPay. */
  readonly dryRun: boolean;
  /**
   * Keys a kind's `act` has taken in this run: a kind that makes something at UnivaPay takes its
   * row's key before sending, so two lines of one file never send for one key at the same time.
   */
  readonly claims: Set<string>;
}

/** A row's fields by name (layout applied); optional fields absent or "" when the file has none. */
export type RowFields = Readonly<Record<string, string>>;

export type RowCheck<P> =
  { readonly ok: true; readonly plan: P; readonly newId: string; readonly drift?: readonly DriftNote[] } | { readonly ok: false; readonly outcome: RowOutcome };

export type RowAct<P> = { readonly ok: true; readonly plan: P; readonly newId: string } | { readonly ok: false; readonly outcome: RowOutcome };

export interface MigrationKindModule<P = unknown> {
  readonly kind: MigrationKind;
  /** The legacy id the row maps (its key in the result file). */
  keyOf(fields: RowFields): string;
  /** The row's own text: a RowOutcome when it cannot be a mapping whatever UnivaPay says. */
  validate(fields: RowFields): RowOutcome | undefined;
  /** Reads only (UnivaPay GETs, store reads): may throw AppErrors of the client. */
  check(ctx: RowContext, fields: RowFields): Promise<RowCheck<P>>;
  /**
   * A kind that makes something at UnivaPay (a subscription): done after the check, outside the
   * row's transaction, never in a dry run. It must be safe to repeat (an Idempotency-Key derived
   * from the row, and its own record in the store before anything is sent), because the runner
   * resends it while UnivaPay is unreachable and a rerun resends it after a kill.
   */
  act?(ctx: RowContext, plan: P): Promise<RowAct<P>>;
  /** Stores the mapping inside the runner's transaction (which records the row with it). */
  apply(tx: StoreOps, ctx: RowContext, plan: P): Promise<RowOutcome>;
  /** Kinds with a drift report: the notes of a row an earlier pass finished (from the store). */
  storedDrift?(ctx: RowContext, row: MigrationRowRecord): Promise<readonly DriftNote[]>;
}
