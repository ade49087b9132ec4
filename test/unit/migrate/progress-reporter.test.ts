import { createProgressReporter, describeProgress } from "../../../src/migrate/progress-reporter";

describe("migration progress", () => {
  const sinkOf = () => {
    const lines: string[] = [];
    return { lines, sink: { write: (t: string) => lines.push(t) } };
  };

  it("writes a plain line at most every 10 s, and a last one at the end with the rows read as the total", () => {
    let t = 0;
    const { lines, sink } = sinkOf();
    const p = createProgressReporter(sink, false, () => t);
    t = 10_000;
    p.update({ done: 1, total: 15, skipped: 0, startedAt: 0 });
    t = 11_000;
    p.update({ done: 14, total: 15, skipped: 0, startedAt: 0 });
    p.end(true);
    expect(lines).toEqual(["progress: 1/15 rows (7%), 0.1 rows/s, eta 2m20s\n", "progress: 14/14 rows (100%), 1.3 rows/s, eta 0s\n"]);
  });

  it("keeps the file's total when the run was interrupted", () => {
    const { lines, sink } = sinkOf();
    const p = createProgressReporter(sink, false, () => 20_000);
    p.update({ done: 40, total: 1000, skipped: 0, startedAt: 0 });
    p.end(false);
    expect(lines.at(-1)).toMatch(/^progress: 40\/1000 rows \(4%\)/);
  });

  it("counts only rows done in this run in the rate", () => {
    expect(describeProgress({ done: 10, total: 100, skipped: 10, startedAt: 0 }, 5_000).rate).toBe(0);
    expect(describeProgress({ done: 30, total: 100, skipped: 10, startedAt: 0 }, 10_000).rate).toBe(2);
  });
});
