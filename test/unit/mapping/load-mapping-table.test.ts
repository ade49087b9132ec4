import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { isAppError } from "../../../src/errors/app-error";
import { checkMappingDir, loadMappingTable } from "../../../src/mapping";

const REAL = join(__dirname, "../../../mappings");

describe("loadMappingTable", () => {
  it("loads the real mappings directory without problems", () => {
    expect(checkMappingDir(REAL)).toEqual([]);
    const table = loadMappingTable(REAL);
    expect(table.files).toHaveLength(9);
    expect(table.limits.amount).toEqual({ min: 1, max: 9_999_999 });
  });

  describe("with a broken copy", () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "mappings-"));
      cpSync(REAL, dir, { recursive: true });
      const edit = (file: string, from: string | RegExp, to: string) => {
        const path = join(dir, file);
        const before = readFileSync(path, "utf8");
        const after = before.replace(from, to);
        if (after === before) throw new Error(`fixture edit did not apply to ${file}`);
        writeFileSync(path, after);
      };
      edit("statuses.yaml", "    awaiting: pending\n    authorized: success\n", "    authorized: success\n    settled: success\n");
      edit("fields.yaml", "convert: phoneDigits", "convert: phoneNumber");
      edit("params.yaml", "spec:\n", "spec: [unclosed\n");
      edit("errors.yaml", "  result_pending: GUP001\n", "");
      edit("errors.yaml", "    306: T52G01", "    306: T99X99");
      writeFileSync(join(dir, "statuse.yaml"), "charge: {}\n");
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("reports every problem at once, each with file and path", () => {
      const problems = checkMappingDir(dir);
      const expected = [
        /^params\.yaml: \(file\): YAML: /,
        /^statuse\.yaml: \(file\): unexpected mapping file/,
        /^statuses\.yaml: charge\.AUTH: missing status "awaiting"/,
        /^statuses\.yaml: charge\.AUTH\.settled: unknown status "settled"/,
        /^fields\.yaml: ruleSets\.charge\.rules\.4\.convert: unknown converter "phoneNumber"/,
        /^errors\.yaml: keys: missing gateway error key "result_pending"/,
        /^errors\.yaml: paymentErrors\.codes\.306: detail code "T99X99" is not documented/,
      ];
      for (const re of expected) expect(problems.some((p) => re.test(p))).toBe(true);
      // params.yaml is reported by its parse errors (with line numbers), not again as "missing".
      expect(problems.filter((p) => p.startsWith("params.yaml")).every((p) => /YAML: .* at line \d+/.test(p))).toBe(true);
    });

    it("throws AppError mapping_invalid carrying every problem as details", () => {
      let caught: unknown;
      try {
        loadMappingTable(dir);
      } catch (err) {
        caught = err;
      }
      expect(isAppError(caught)).toBe(true);
      if (!isAppError(caught)) return;
      expect(caught.code).toBe("mapping_invalid");
      expect(caught.details).toHaveLength(checkMappingDir(dir).length);
      expect(caught.details.map((d) => d.path)).toContain("fields.yaml: ruleSets.charge.rules.4.convert");
      expect(caught.message).toMatch(/is invalid \(\d+ problems?\)$/);
    });
  });

  it("reports a missing file and an unreadable directory", () => {
    const dir = mkdtempSync(join(tmpdir(), "mappings-"));
    try {
      cpSync(REAL, dir, { recursive: true });
      rmSync(join(dir, "layout.yaml"));
      expect(checkMappingDir(dir)).toEqual(["layout.yaml: (file): file is missing"]);
      expect(checkMappingDir(join(dir, "nope"))[0]).toMatch(/cannot read directory/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
