/** `npm test` without PostgreSQL: one line that says what to start, exit 1, no stack traces. */
import { spawnSync } from "node:child_process";
import { join } from "node:path";

it("npm test's first step names the database it needs and how to start it", () => {
  const r = spawnSync(process.execPath, [join(__dirname, "../../scripts/check-test-db.mjs")], {
    env: { ...process.env, TEST_DATABASE_URL: "postgres://postgres:pw@127.0.0.1:1/test" },
    encoding: "utf8",
  });
  expect(r.status).toBe(1);
  const lines = r.stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^npm test needs PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/test \(.*ECONNREFUSED.*\): start it/);
});
