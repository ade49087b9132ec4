/**
 * Registered SQL texts reach PostgreSQL as named statements (parsed once per connection); other
 * SQL stays unnamed, so a connection never accumulates ad-hoc statements.
 */
import { Pool } from "pg";
import { namedStatement, statementName, withNamedStatements } from "../../src/store/pg-named-statements";
import { TEST_PG_URL } from "./store-builders";

describe("PostgreSQL named statements", () => {
  const pg = new Pool({ connectionString: TEST_PG_URL, max: 1 });
  afterAll(() => pg.end());

  it("prepares a registered text once per connection and leaves other SQL unnamed", async () => {
    const hot = namedStatement("SELECT $1::int + 1 AS n /* named-statements test */");
    const pool = withNamedStatements(pg);
    const client = await pool.connect();
    try {
      for (const v of [1, 2, 3]) expect((await client.query<{ n: number }>(hot, [v])).rows[0]?.n).toBe(v + 1);
      await client.query("SELECT 42 AS other", []);
      const r = await client.query<{ name: string; statement: string }>("SELECT name, statement FROM pg_prepared_statements", []);
      expect(r.rows).toEqual([{ name: statementName(hot), statement: hot }]);
    } finally {
      client.release();
    }
  });
});
