/**
 * zod schema for mappings/migration.yaml (shape only): the column layouts of batch-migration input
 * files and what the migrator accepts of the resources they name. Which fields a layout must have
 * is checked in compile-migration.ts against MIGRATION_KIND_FIELDS, the one list of each kind's
 * fields. Pure.
 */
import { z } from "zod";

/** The input kinds of `npm run migrate`, each with its fields (required first, then optional). */
export const MIGRATION_KIND_FIELDS = {
  members: { required: ["upcmemberid", "tokenId"], optional: [] },
  payments: { required: ["pid", "chargeId"], optional: ["sod"] },
  /** acid → a subscription that exists at UnivaPay (UnivaPay migrated it, or it was made by hand). */
  autobillings: { required: ["acid", "subscriptionId"], optional: ["pid", "actp", "acdc", "acmc", "acam", "acrm", "nextDate", "sod"] },
  /** acid → a subscription the migrator creates from the legacy schedule (`--create`). */
  "autobillings-create": {
    required: ["acid", "actp", "acam", "nextDate"],
    optional: ["upcmemberid", "tokenId", "acdc", "acmc", "acrm", "acrt", "acrd", "pid", "sod"],
  },
} as const satisfies Record<string, { required: readonly string[]; optional: readonly string[] }>;
export type MigrationKind = keyof typeof MIGRATION_KIND_FIELDS;
export const MIGRATION_KINDS = Object.keys(MIGRATION_KIND_FIELDS) as MigrationKind[];

/** The legacy payment states a pre-switch charge may become (src/store PAYMENT_STATES). */
const ImportedState = z.enum(["authorized", "captured", "canceled", "refunded"]);

const Note = z.string().min(1).optional();
const FieldSchema = z.strictObject({
  /** 1-based position when the file has no header row. */
  column: z.number().int().min(1).max(200),
  /** Header names the column is known by; compared without case, spaces or underscores. */
  headers: z.array(z.string().min(1)).min(1),
  note: Note,
});

const LayoutSchema = z.strictObject({
  kind: z.enum(MIGRATION_KINDS as [MigrationKind, ...MigrationKind[]]),
  note: Note,
  fields: z.record(z.string(), FieldSchema),
});

export const MigrationFileSchema = z.strictObject({
  layouts: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "must be lower-case letters, digits and dashes"), LayoutSchema),
  members: z.strictObject({
    /** Token types a member may be migrated as (a one_time token pays once and is gone). */
    tokenTypes: z.array(z.string().min(1)).min(1),
    note: Note,
  }),
  payments: z.strictObject({
    /** UnivaPay charge status → legacy payment state; a status not listed is refused. */
    chargeStates: z.record(z.string(), ImportedState),
    note: Note,
  }),
  autobillings: z.strictObject({
    /** UnivaPay subscription statuses an existing subscription may be mapped in. */
    subscriptionStates: z.array(z.string().min(1)).min(1),
    /** --create: a row whose next legacy billing date is fewer days away than this is refused. */
    minLeadDays: z.number().int().min(1).max(60),
    note: Note,
  }),
});
export type MigrationFile = z.infer<typeof MigrationFileSchema>;
