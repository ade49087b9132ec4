/**
 * The migrator's progress on stderr: a bar with rate and ETA redrawn in place on a terminal, a
 * plain line every 10 s otherwise (a log file or CI keeps one line per step, not a thousand
 * carriage returns), and a last one at the end. The rate counts only rows done in this run, not those copied from the ledger.
 */
import type { RunProgress } from "./run-migration";

export interface ProgressSink {
  write(text: string): unknown;
}

const TTY_EVERY_MS = 200;
const LINE_EVERY_MS = 10_000;
const BAR = 24;

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, "0")}m` : m > 0 ? `${m}m${String(sec).padStart(2, "0")}s` : `${sec}s`;
}

export function describeProgress(p: RunProgress, now: number): { pct: number; rate: number; eta: string } {
  const total = Math.max(p.total, p.done);
  const elapsed = Math.max(1, now - p.startedAt) / 1000;
  const rate = (p.done - p.skipped) / elapsed;
  const pct = total === 0 ? 100 : (100 * p.done) / total;
  const eta = rate > 0 ? formatDuration(((total - p.done) / rate) * 1000) : "?";
  return { pct, rate, eta };
}

export function createProgressReporter(sink: ProgressSink, tty: boolean, now: () => number = Date.now) {
  let last = 0;
  let latest: RunProgress | undefined;
  const render = (p: RunProgress): string => {
    const { pct, rate, eta } = describeProgress(p, now());
    const total = Math.max(p.total, p.done);
    if (!tty) return `progress: ${p.done}/${total} rows (${pct.toFixed(0)}%), ${rate.toFixed(1)} rows/s, eta ${eta}\n`;
    const filled = Math.round((BAR * pct) / 100);
    return `\r\u001b[2K[${"#".repeat(filled)}${".".repeat(BAR - filled)}] ${pct.toFixed(1)}% ${p.done.toLocaleString("en")}/${total.toLocaleString("en")} · ${rate.toFixed(1)} rows/s · ETA ${eta}`;
  };
  return {
    update(p: RunProgress): void {
      latest = p;
      const t = now();
      if (t - last < (tty ? TTY_EVERY_MS : LINE_EVERY_MS)) return;
      last = t;
      sink.write(render(p));
    },
    /** The last figures, whatever the throttle; `complete`: the whole file was read, so its total is the rows read. */
    end(complete: boolean): void {
      if (!latest) return;
      const final = complete ? { ...latest, total: latest.done } : latest;
      sink.write(tty ? `${render(final)}\n` : render(final));
    },
  };
}
