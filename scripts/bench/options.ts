/**
 * Command-line options of `npm run bench` (node:util parseArgs). Defaults keep a full run under
 * about three minutes on two cores.
 */
import { parseArgs } from "node:util";

export type BenchDb = "sqlite" | "postgres";

export interface BenchOptions {
  readonly durationS: number;
  readonly warmupS: number;
  readonly concurrency: number;
  readonly rate: number;
  readonly webhookRate: number;
  readonly kickbacks: number;
  readonly merchants: number;
  /** Seconds of the one-merchant throughput check (0: skip). */
  readonly singleMerchantS: number;
  /** Seconds of the one-merchant run at UnivaPay's rate limits, webhooks vs polling (0: skip). */
  readonly peakS: number;
  /** Its open-loop rate, payments/s (UnivaPay allows 50 charges/s per store). */
  readonly peakRate: number;
  readonly dbs: readonly BenchDb[];
  readonly pgUrl: string;
  readonly outDir: string;
  /** Write a V8 CPU profile of each gateway process to <tmpdir>/gw-bench-profiles and summarise it. */
  readonly profile: boolean;
  /** Time every SQL statement in the gateway (diagnostic: slows the gateway down). */
  readonly sqlTiming: boolean;
}

export const USAGE = `usage: npm run bench -- [--duration 10] [--warmup 2] [--concurrency 32] [--rate 200]
  [--webhook-rate 500] [--kickbacks 5000] [--merchants 100] [--single-merchant 5] [--peak 20] [--peak-rate 48]
  [--db sqlite,postgres] [--pg-url postgres://postgres@127.0.0.1:5432/test] [--out bench/results] [--profile] [--sql-timing]`;

function positive(name: string, v: string | undefined, def: number, min = 1): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number >= ${min}, got ${v}`);
  return n;
}

export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      duration: { type: "string" },
      warmup: { type: "string" },
      concurrency: { type: "string" },
      rate: { type: "string" },
      "webhook-rate": { type: "string" },
      kickbacks: { type: "string" },
      merchants: { type: "string" },
      "single-merchant": { type: "string" },
      peak: { type: "string" },
      "peak-rate": { type: "string" },
      db: { type: "string" },
      "pg-url": { type: "string" },
      out: { type: "string" },
      profile: { type: "boolean" },
      "sql-timing": { type: "boolean" },
      help: { type: "boolean" },
    },
  });
  if (values.help) throw new Error(USAGE);
  const dbs = (values.db ?? "sqlite,postgres").split(",").map((s) => s.trim());
  for (const d of dbs) if (d !== "sqlite" && d !== "postgres") throw new Error(`--db: unknown database ${d}`);
  return {
    durationS: positive("duration", values.duration, 10),
    warmupS: positive("warmup", values.warmup, 2, 0),
    concurrency: positive("concurrency", values.concurrency, 32),
    rate: positive("rate", values.rate, 200),
    webhookRate: positive("webhook-rate", values["webhook-rate"], 500),
    kickbacks: positive("kickbacks", values.kickbacks, 5000),
    merchants: positive("merchants", values.merchants, 100),
    singleMerchantS: positive("single-merchant", values["single-merchant"], 5, 0),
    peakS: positive("peak", values.peak, 20, 0),
    peakRate: positive("peak-rate", values["peak-rate"], 48),
    dbs: dbs as BenchDb[],
    pgUrl: values["pg-url"] ?? "postgres://postgres@127.0.0.1:5432/test",
    outDir: values.out ?? "bench/results",
    profile: values.profile ?? false,
    sqlTiming: values["sql-timing"] ?? false,
  };
}
