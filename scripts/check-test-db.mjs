// `npm test`'s first step: the store contract and several integration suites run on PostgreSQL
// too. Without it every one of those tests would fail with its own stack trace; instead, one line
// that says what to start. Plain JavaScript: it runs before anything is compiled.
import pg from "pg";

const url = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const shown = url.replace(/:\/\/([^:@/]+):[^@/]*@/, "://$1:***@");
const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
try {
  await client.connect();
  await client.query("SELECT 1");
  await client.end();
} catch (err) {
  const reason = err instanceof Error ? err.message : String(err);
  process.stderr.write(
    `npm test needs PostgreSQL at ${shown} (${reason}): start it (Debian: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start), or set TEST_DATABASE_URL\n`,
  );
  process.exit(1);
}
