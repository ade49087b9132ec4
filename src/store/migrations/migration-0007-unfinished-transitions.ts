/**
 * Migration 7: the reconciler's index of unfinished transitions also covers `reversing` (a
 * transition whose merchant was answered "failure" while its outcome was unknown: the gateway must
 * still prove nothing moved, or reverse it). The predicate must match the query's state list for
 * the planner to use it. NEVER edit once merged.
 */
import type { Migration } from "./migration";

const statements = [
  `DROP INDEX IF EXISTS transitions_open_updated_idx`,
  `CREATE INDEX transitions_unfinished_updated_idx ON transitions (updated_at) WHERE state IN ('requested', 'pending', 'reversing')`,
];

export const migration0007UnfinishedTransitions: Migration = {
  version: 7,
  name: "unfinished-transitions",
  sqlite: statements,
  postgres: statements,
};
