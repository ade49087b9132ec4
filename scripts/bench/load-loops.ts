/**
 * The two load shapes. Closed loop: N workers, each sends its next request when the previous one
 * answered, for a fixed time (measures capacity). Open loop: requests start on a fixed schedule
 * whatever the answers (measures latency at a given rate); latency counts from the *scheduled*
 * start, so a stalled server is not hidden by a generator that waited for it (coordinated omission).
 * Both stop by themselves: no new request after the duration, and every request has a timeout.
 */
import { summarize, type LatencySummary } from "./stats";

export type OpResult = { readonly ok: true } | { readonly ok: false; readonly error: string };
/** One logical operation (maybe several HTTP calls); seq is unique within a loop. */
export type Op = (seq: number) => Promise<OpResult>;

export interface LoopResult {
  readonly ok: number;
  readonly failed: number;
  readonly elapsedMs: number;
  /** Successful operations per second of wall time. */
  readonly okPerSecond: number;
  readonly latency: LatencySummary;
  /** Failure reasons and their counts. */
  readonly errors: Record<string, number>;
}

export interface OpenLoopResult extends LoopResult {
  readonly targetRate: number;
  /** Latency from the actual send instead of the scheduled one (differs only if the generator lagged). */
  readonly serviceLatency: LatencySummary;
  /** Worst delay between a request's scheduled and actual start: generator health. */
  readonly maxSendLagMs: number;
}

function tally(errors: Record<string, number>, r: OpResult): void {
  if (!r.ok) errors[r.error] = (errors[r.error] ?? 0) + 1;
}

export async function closedLoop(o: { concurrency: number; durationMs: number; op: Op }): Promise<LoopResult> {
  const lat: number[] = [];
  const errors: Record<string, number> = {};
  let ok = 0;
  let seq = 0;
  const t0 = performance.now();
  const end = t0 + o.durationMs;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const started = performance.now();
      const r = await o.op(seq++);
      lat.push(performance.now() - started);
      if (r.ok) ok++;
      tally(errors, r);
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  const elapsedMs = performance.now() - t0;
  return { ok, failed: lat.length - ok, elapsedMs, okPerSecond: (ok * 1000) / elapsedMs, latency: summarize(lat), errors };
}

export async function openLoop(o: { ratePerSec: number; durationMs: number; op: Op }): Promise<OpenLoopResult> {
  const total = Math.max(1, Math.round((o.ratePerSec * o.durationMs) / 1000));
  const intervalMs = 1000 / o.ratePerSec;
  const lat: number[] = [];
  const service: number[] = [];
  const errors: Record<string, number> = {};
  const inflight: Promise<void>[] = [];
  let ok = 0;
  let maxLag = 0;
  let next = 0;
  const t0 = performance.now() + 5;

  const fire = (i: number, scheduledAt: number): void => {
    const sentAt = performance.now();
    maxLag = Math.max(maxLag, sentAt - scheduledAt);
    inflight.push(
      o.op(i).then((r) => {
        const done = performance.now();
        lat.push(done - scheduledAt);
        service.push(done - sentAt);
        if (r.ok) ok++;
        tally(errors, r);
      }),
    );
  };
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      while (next < total && t0 + next * intervalMs <= now) {
        fire(next, t0 + next * intervalMs);
        next++;
      }
      if (next >= total) return resolve();
      setTimeout(tick, Math.max(0, t0 + next * intervalMs - performance.now()));
    };
    setTimeout(tick, 5);
  });
  await Promise.all(inflight);
  const elapsedMs = performance.now() - t0;
  return {
    ok,
    failed: lat.length - ok,
    elapsedMs,
    okPerSecond: (ok * 1000) / elapsedMs,
    latency: summarize(lat),
    errors,
    targetRate: o.ratePerSec,
    serviceLatency: summarize(service),
    maxSendLagMs: Math.round(maxLag * 1000) / 1000,
  };
}
