/**
 * Legacy CAPTURE through the gateway vs the same UnivaPay calls straight to the sandbox:
 * capacity (closed loop) and latency at a fixed rate (open loop). Each measured run follows an
 * unmeasured warm-up, so JIT compilation and connection set-up stay out of the figures.
 */
import { createHttpClient } from "./http-client";
import { closedLoop, openLoop, type LoopResult, type Op, type OpenLoopResult } from "./load-loops";
import { directChargeOp, legacyCaptureOp, type OpMerchant } from "./ops";
import type { BenchOptions } from "./options";
import { BENCH_MEMBER_ID, type BenchWorld } from "./setup";
import { withUsage, type UsageDelta, type UsageProbe } from "./usage";
import type { RunningGateway } from "./bench-gateway";

export type Log = (msg: string) => void;

export type Measured<T> = T & { readonly cpu: Record<string, UsageDelta> };

export interface PaymentResults {
  readonly throughput: Measured<LoopResult>;
  readonly latency: Measured<OpenLoopResult>;
}

export interface GatewayPaymentResults extends PaymentResults {
  /** All load on one merchant (one UnivaPay store): shows the per-store client-side rate limit. */
  readonly singleMerchant: Measured<LoopResult> | null;
  /** (pid, merchant) of some successful payments, for webhook bodies about real charges. */
  readonly samplePids: ReadonlyArray<{ pid: string; merchant: OpMerchant }>;
}

const SAMPLE_PIDS = 1000;

const opsOf = (r: LoopResult): number => r.ok + r.failed;
const cpuLine = (cpu: Record<string, UsageDelta>): string =>
  Object.entries(cpu).map(([k, v]) => `${k} ${v.cpuUsPerOp} µs/op (loop ${(v.eventLoopBusy * 100).toFixed(0)}%)`).join(", ");

/**
 * Throughput, then latency. The latency run measures a steady state at the given rate, not the
 * recovery from the saturating run before it: `settle` first waits (bounded) until the gateway's
 * outbox and inbox are drained, then an unmeasured warm-up runs at the same rate.
 */
async function measure(
  opts: BenchOptions,
  log: Log,
  label: string,
  probes: readonly UsageProbe[],
  op: (tag: string) => Op,
  settle: () => Promise<void> = async () => undefined,
): Promise<PaymentResults> {
  const ms = (s: number): number => s * 1000;
  if (opts.warmupS > 0) await closedLoop({ concurrency: opts.concurrency, durationMs: ms(opts.warmupS), op: op("W") });
  log(`${label}: throughput, ${opts.concurrency} clients for ${opts.durationS} s`);
  const throughput = await withUsage(probes, () => closedLoop({ concurrency: opts.concurrency, durationMs: ms(opts.durationS), op: op("T") }), opsOf);
  log(`${label}: ${throughput.okPerSecond.toFixed(0)} ok/s, ${throughput.failed} failed; cpu: ${cpuLine(throughput.cpu)}`);
  await settle();
  if (opts.warmupS > 0) await openLoop({ ratePerSec: opts.rate, durationMs: ms(opts.warmupS), op: op("V") });
  log(`${label}: latency at ${opts.rate}/s for ${opts.durationS} s`);
  const latency = await withUsage(probes, () => openLoop({ ratePerSec: opts.rate, durationMs: ms(opts.durationS), op: op("L") }), opsOf);
  log(`${label}: p50 ${latency.latency.p50Ms} ms, p99 ${latency.latency.p99Ms} ms, ${latency.failed} failed`);
  return { throughput, latency };
}

/** Unique per run and phase: the gateway de-duplicates identical legacy requests by their fields. */
const runTag = (): string => `B${Date.now().toString(36)}`;

export async function runDirect(world: BenchWorld, opts: BenchOptions, log: Log): Promise<PaymentResults> {
  const client = createHttpClient(world.sandboxUrl, { maxSockets: opts.concurrency });
  const tag = runTag();
  try {
    return await measure(opts, log, "direct", world.probes, (phase) => directChargeOp({ client, merchants: world.merchants, tag: `${tag}${phase}` }));
  } finally {
    client.close();
  }
}

/**
 * The direct path's latency again, right after a gateway's latency run: same rate and length, on
 * the sandbox as that run left it (by then it holds every charge of the run so far, and the
 * machine may have drifted since the first direct run). "Gateway-added" compares these two.
 */
export async function runDirectLatency(world: BenchWorld, opts: BenchOptions, log: Log, label: string): Promise<Measured<OpenLoopResult>> {
  const client = createHttpClient(world.sandboxUrl, { maxSockets: opts.concurrency });
  const tag = runTag();
  const op = (phase: string): Op => directChargeOp({ client, merchants: world.merchants, tag: `${tag}${phase}` });
  try {
    if (opts.warmupS > 0) await openLoop({ ratePerSec: opts.rate, durationMs: opts.warmupS * 1000, op: op("W") });
    const r = await withUsage(world.probes, () => openLoop({ ratePerSec: opts.rate, durationMs: opts.durationS * 1000, op: op("P") }), opsOf);
    log(`${label}: direct again (paired): p50 ${r.latency.p50Ms} ms, p99 ${r.latency.p99Ms} ms, ${r.failed} failed`);
    return r;
  } finally {
    client.close();
  }
}

export async function runGatewayPayments(
  world: BenchWorld,
  gw: RunningGateway,
  opts: BenchOptions,
  log: Log,
  label: string,
  settle: () => Promise<void>,
): Promise<GatewayPaymentResults> {
  const client = createHttpClient(gw.url, { maxSockets: opts.concurrency });
  const tag = runTag();
  const samplePids: Array<{ pid: string; merchant: OpMerchant }> = [];
  const onPid = (pid: string, merchant: OpMerchant): void => {
    if (samplePids.length < SAMPLE_PIDS) samplePids.push({ pid, merchant });
  };
  const op = (phase: string, merchants = world.merchants): Op =>
    legacyCaptureOp({ client, merchants, memberId: BENCH_MEMBER_ID, tag: `${tag}${phase}`, onPid });
  try {
    const r = await measure(opts, log, label, gw.probes, (phase) => op(phase), settle);
    let singleMerchant: Measured<LoopResult> | null = null;
    if (opts.singleMerchantS > 0) {
      log(`${label}: one merchant only, ${opts.concurrency} clients for ${opts.singleMerchantS} s`);
      const one = world.merchants.slice(0, 1);
      singleMerchant = await withUsage(gw.probes, () => closedLoop({ concurrency: opts.concurrency, durationMs: opts.singleMerchantS * 1000, op: op("S", one) }), opsOf);
      log(`${label}: one merchant: ${singleMerchant.okPerSecond.toFixed(0)} ok/s, ${singleMerchant.failed} failed`);
    }
    return { ...r, singleMerchant, samplePids };
  } finally {
    client.close();
  }
}
