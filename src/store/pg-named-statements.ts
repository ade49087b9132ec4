/**
 * PostgreSQL named statements for the hot SQL. Sent unnamed (Kysely's default), every statement is
 * parsed and planned by the server on every call; the payment path's statements are data-modifying
 * CTEs whose parse and plan cost more server CPU than their writes, on the same two cores as the
 * gateway. Named, pg sends the text once per connection and PostgreSQL keeps the parsed statement
 * (and, after five runs, may keep a generic plan).
 *
 * Only texts registered here are named: they come from a fixed set (prepareQuery's compiled SQL and
 * the CTE constants), so a connection holds a bounded number of statements. Ad-hoc SQL (admin
 * queries, IN lists of varying length) stays unnamed.
 *
 * Behind a transaction-pooling proxy, named statements need PgBouncer 1.21 or later with
 * max_prepared_statements set (README, decisions).
 */
import type { PostgresPool, PostgresPoolClient } from "kysely";
import type { Pool, PoolClient } from "pg";

const names = new Map<string, string>();

/** Registers `sql` as a hot statement and returns it unchanged (for constants: `const X = namedStatement(...)`). */
export function namedStatement(sql: string): string {
  if (!names.has(sql)) names.set(sql, `gw${names.size + 1}`);
  return sql;
}

/** The statement name of a registered text, or undefined. */
export function statementName(sql: string): string | undefined {
  return names.get(sql);
}

/** Kysely's pool interface over a pg Pool, sending registered texts as named statements. */
export function withNamedStatements(pool: Pool): PostgresPool {
  // Kysely keeps one connection object per client it is handed, so each pg client gets one wrapper.
  const wrappers = new WeakMap<PoolClient, PostgresPoolClient>();
  const wrap = (client: PoolClient): PostgresPoolClient => {
    let w = wrappers.get(client);
    if (!w) {
      w = {
        query: ((textOrCursor: unknown, values?: readonly unknown[]) => {
          const name = typeof textOrCursor === "string" ? names.get(textOrCursor) : undefined;
          if (name !== undefined) return client.query({ name, text: textOrCursor as string, values: values as unknown[] });
          return client.query(textOrCursor as never, values as unknown[]);
        }) as unknown as PostgresPoolClient["query"],
        release: () => client.release(),
      };
      wrappers.set(client, w);
    }
    return w;
  };
  return {
    connect: async () => wrap(await pool.connect()),
    end: () => pool.end(),
  };
}
