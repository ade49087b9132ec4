/**
 * `npm run mappings:check` as an operator runs it (the compiled script, a real process): it checks
 * the directory the gateway would load (MAPPINGS_DIR), lists every problem at once with a count,
 * and exits 1 on any.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SCRIPT = join(__dirname, "../../dist/scripts/check-mappings.js");
const MAPPINGS = join(__dirname, "../../mappings");

function brokenCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), "mappings-"));
  cpSync(MAPPINGS, dir, { recursive: true });
  const fields = join(dir, "fields.yaml");
  writeFileSync(
    fields,
    readFileSync(fields, "utf8").replace("convert: legacyTotal", "convert: legacyTotalX").replace("missing: amount_missing,", "missing: amount_missingX,"),
  );
  return dir;
}

describe("npm run mappings:check", () => {
  it("checks MAPPINGS_DIR and lists a bad converter and a bad error key together", () => {
    const dir = brokenCopy();
    const r = spawnSync(process.execPath, [SCRIPT], { env: { ...process.env, MAPPINGS_DIR: dir }, encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('unknown converter "legacyTotalX"');
    expect(r.stdout).toContain('unknown error key "amount_missingX" (did you mean "amount_missing"?)');
    expect(r.stdout).toMatch(/mappings in .*: 3 problems\n$/);
    expect(r.stdout).not.toMatch(/::/);
  });

  it("says OK, with the directory, for the shipped table", () => {
    expect(execFileSync(process.execPath, [SCRIPT], { env: { ...process.env, MAPPINGS_DIR: MAPPINGS }, encoding: "utf8" })).toBe(
      `mappings OK: 9 files in ${MAPPINGS}\n`,
    );
  });
});
