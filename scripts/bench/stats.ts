/**
 * Latency summaries. Percentiles use the nearest-rank method on the full sorted sample (no
 * histogram bucketing), so p99 of 2,000 samples is the 1,980th smallest value.
 */

export interface LatencySummary {
  readonly count: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? Number.NaN;
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

export function summarize(samplesMs: readonly number[]): LatencySummary {
  const s = Float64Array.from(samplesMs).sort();
  const mean = s.length === 0 ? Number.NaN : s.reduce((a, b) => a + b, 0) / s.length;
  return {
    count: s.length,
    meanMs: round(mean),
    p50Ms: round(percentile(s, 50)),
    p95Ms: round(percentile(s, 95)),
    p99Ms: round(percentile(s, 99)),
    maxMs: round(s.length === 0 ? Number.NaN : (s[s.length - 1] ?? Number.NaN)),
  };
}

/** Gateway-added latency as the difference of percentiles (the samples are not paired). */
export function diffSummaries(gateway: LatencySummary, direct: LatencySummary): Omit<LatencySummary, "count"> {
  return {
    meanMs: round(gateway.meanMs - direct.meanMs),
    p50Ms: round(gateway.p50Ms - direct.p50Ms),
    p95Ms: round(gateway.p95Ms - direct.p95Ms),
    p99Ms: round(gateway.p99Ms - direct.p99Ms),
    maxMs: round(gateway.maxMs - direct.maxMs),
  };
}
