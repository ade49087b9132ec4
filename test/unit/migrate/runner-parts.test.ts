/**
 * The runner's pure parts: the window keeps input order and its concurrency bound, the result
 * file's cells are CSV-safe (quotes, commas, formula-looking text), progress reads well.
 */
import { existsSync } from "node:fs";
import { ResultFile, resultLine } from "../../../src/migrate/result-file";
import { describeProgress, formatDuration } from "../../../src/migrate/progress-reporter";
import { RowWindow } from "../../../src/migrate/row-window";

describe("RowWindow", () => {
  it("hands results back in input order while running at most `concurrency` at once", async () => {
    const window = new RowWindow<number>(3);
    let running = 0;
    let peak = 0;
    const out: number[] = [];
    for (let i = 0; i < 20; i++) {
      const work = (async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, (i * 7) % 5));
        running--;
        return i;
      })();
      out.push(...(await window.push(work, true)));
    }
    out.push(...(await window.drain()));
    expect(out).toEqual([...Array(20).keys()]);
    expect(peak).toBeLessThanOrEqual(3);
  });

  it("surfaces a failed row in its place", async () => {
    const window = new RowWindow<number>(2);
    const seen: number[] = [];
    const run = async () => {
      seen.push(...(await window.push(Promise.resolve(1), true)));
      seen.push(...(await window.push(Promise.reject(new Error("store down")), true)));
      seen.push(...(await window.drain()));
    };
    await expect(run()).rejects.toThrow("store down");
    expect(seen).toEqual([1]);
  });
});

describe("result file lines", () => {
  it("quotes what needs it and defuses formula-looking cells", () => {
    expect(resultLine({ line: 3, key: "=HYPERLINK(1)", status: "failed", newId: null, errorCode: "bad_row", message: 'say "no", twice' })).toBe(
      `3,'=HYPERLINK(1),failed,,bad_row,"say ""no"", twice"`,
    );
  });
});

describe("result file on a full disk", () => {
  (existsSync("/dev/full") ? it : it.skip)("rejects instead of waiting for ever", async () => {
    const f = await ResultFile.open("/dev/full");
    const write = async () => {
      for (let i = 0; i < 100_000; i++) await f.add({ line: i, key: "k".repeat(100), status: "migrated", newId: null, errorCode: null, message: "" });
      await f.close();
    };
    await expect(write()).rejects.toThrow(/ENOSPC/);
  });
});

describe("progress", () => {
  it("gives percent, rate over this run's rows only, and ETA", () => {
    const p = describeProgress({ done: 600, total: 1000, skipped: 200, startedAt: 0 }, 20_000);
    expect(p).toEqual({ pct: 60, rate: 20, eta: "20s" });
    expect(formatDuration(3_725_000)).toBe("1h02m");
    expect(formatDuration(65_000)).toBe("1m05s");
  });
});
