/**
 * mappings/recurring.yaml through the real loader: a broken copy reports every problem at once,
 * each with file and path, and the table is never built.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { isAppError } from "../../../src/errors/app-error";
import { checkMappingDir, loadMappingTable } from "../../../src/mapping";

const REAL = join(__dirname, "../../../mappings");

/** A copy of mappings/ with text edits to recurring.yaml; each edit must apply. */
function brokenCopy(edits: ReadonlyArray<readonly [string, string]>, append = ""): string {
  const dir = mkdtempSync(join(tmpdir(), "mappings-"));
  cpSync(REAL, dir, { recursive: true });
  const path = join(dir, "recurring.yaml");
  let text = readFileSync(path, "utf8");
  for (const [from, to] of edits) {
    if (!text.includes(from)) throw new Error(`fixture edit did not apply: ${from}`);
    text = text.replace(from, to);
  }
  writeFileSync(path, text + append);
  return dir;
}

describe("loadMappingTable with recurring.yaml", () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("compiles the shipped cycle codes, their parameters and defaults", () => {
    const { recurring } = loadMappingTable(REAL);
    expect([...recurring.cycles.keys()]).toEqual(["2", "3", "4", "5", "6", "7", "8", "20", "21", "22", "23", "24"]);
    expect(recurring.cycles.get("4")).toMatchObject({ field: { kind: "period", period: "monthly" }, startOn: { kind: "none" } });
    expect(recurring.cycles.get("4")?.params.size).toBe(0);
    const c23 = recurring.cycles.get("23");
    expect(c23).toMatchObject({ field: { kind: "cyclical", unit: "D", count: "acdc1" }, startOn: { kind: "daysLater", from: "acmc1" } });
    expect(Object.fromEntries(c23?.params ?? [])).toEqual({ acdc1: { min: 1, max: 999 }, acmc1: { min: 1, max: 999 } });
    expect(Object.fromEntries(recurring.cycles.get("21")?.params ?? [])).toEqual({ acdc1: { min: 1, max: 31 }, acmc1: { min: 1, max: 12 } });
    expect(recurring.errors.acdc1).toBe("recurring_day_invalid");
    expect(recurring.defaults).toMatchObject({ zoneId: "Asia/Tokyo", legacyRetryIntervalDays: 7, legacyRetryCount: 3, legacyChargeTime: "00:30" });
  });

  it("reports schema problems with file and path", () => {
    const dir = brokenCopy(
      [
        ['  "2":\n    period: weekly\n', '  "2":\n    period: fortnightly\n'],
        ['  legacyChargeTime: "00:30"\n', '  legacyChargeTime: "0:30"\n'],
        ["  zoneId: Asia/Tokyo\n", "  zoneId: Europe/Paris\n"],
      ],
      "  x1:\n    period: weekly\n    note: not a code\n",
    );
    dirs.push(dir);
    const problems = checkMappingDir(dir);
    const expected = [
      /^recurring\.yaml: cycles\.2\.period: /,
      /^recurring\.yaml: defaults\.legacyChargeTime: must be HH:MM$/,
      /^recurring\.yaml: defaults\.zoneId: /,
      /^recurring\.yaml: cycles\.x1: key: must be a cycle code \(digits\)$/,
    ];
    for (const re of expected) expect(problems.filter((p) => re.test(p))).toHaveLength(1);
    expect(problems).toHaveLength(expected.length);
  });

  it("reports every cross-check and unknown error key at once, and never builds the table", () => {
    const dir = brokenCopy([
      ["  acmc1: recurring_interval_invalid\n", "  acmc1: recurring_intervall_invalid\n"],
      [
        "    cyclical: { unit: D, count: acdc1 }\n    startOn: { kind: daysLater, days: acdc1 }\n    params: { acdc1: days }\n",
        "    period: daily\n    cyclical: { unit: D, count: acdc1 }\n",
      ],
      [
        "    startOn: { kind: nextDayOfMonth, day: acdc1 }\n    params: { acdc1: dayOfMonth, acmc1: months }\n",
        "    startOn: { kind: nextDayOfMonth, day: acdc1 }\n    params: { acdc1: days, acmc1: months }\n",
      ],
      [
        "    startOn: { kind: daysLater, days: acdc1 }\n    params: { acdc1: days, acmc1: months }\n",
        "    startOn: { kind: daysLater, days: acdc1 }\n    params: { acmc1: months }\n",
      ],
      ["    period: annually\n", "    period: annually\n    params: { acdc1: days }\n"],
      ["  days:\n    min: 1\n    max: 999\n", "  days:\n    min: 0\n    max: 1200\n"],
      ["  legacyRetryIntervalDays: 7\n", "  legacyRetryIntervalDays: 400\n"],
    ]);
    dirs.push(dir);
    const problems = [
      'recurring.yaml: errors.acmc1: unknown error key "recurring_intervall_invalid" (did you mean "recurring_interval_invalid"?); the keys are those under `keys` in errors.yaml',
      "recurring.yaml: ranges.days.min: must be at least 1",
      "recurring.yaml: ranges.days.max: must be at most 999",
      "recurring.yaml: defaults.legacyRetryIntervalDays: must be within limits.acrd1",
      "recurring.yaml: cycles.8: a `period` entry takes no `startOn` or `params`",
      'recurring.yaml: cycles.8.params.acdc1: "acdc1" is required but no field uses it',
      "recurring.yaml: cycles.20: needs exactly one of `period` or `cyclical`",
      'recurring.yaml: cycles.21.params.acdc1: startOn.day needs a "dayOfMonth" number, not "days"',
      'recurring.yaml: cycles.22.startOn.days: "acdc1" must be listed in params',
    ];
    expect(checkMappingDir(dir)).toEqual(problems);
    let caught: unknown;
    try {
      loadMappingTable(dir);
    } catch (err) {
      caught = err;
    }
    expect(isAppError(caught) && caught.code).toBe("mapping_invalid");
    if (isAppError(caught)) expect(caught.details.map((d) => d.path)).toContain("recurring.yaml: cycles.22.startOn.days");
  });

  it("reports a missing recurring.yaml like any other file", () => {
    const dir = brokenCopy([]);
    dirs.push(dir);
    rmSync(join(dir, "recurring.yaml"));
    expect(checkMappingDir(dir)).toEqual(["recurring.yaml: (file): file is missing"]);
  });
});
