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
  /** The direct path's latency, measured in the same window as `latency` (interleaved). */
  readonly directAlongside: OpenLoopResult;
  /** (pid, merchant) of some successful payments, for webhook bodies about real charges. */
  readonly samplePids: ReadonlyArray<{ pid: string; merchant: OpMerchant }>;
}

const SAMPLE_PIDS = 1000;

const opsOf = (r: LoopResult): number => r.ok + r.failed;
const cpuLine = (cpu: Record<string, UsageDelta>): string =>
  Object.entries(cpu)
    .map(([k, v]) => `${k} ${v.cpuUsPerOp} µs/op (loop ${(v.eventLoopBusy * 100).toFixed(0)}%)`)
    .join(", ");

/**
 * Throughput, then latency. The latency run measures a steady state at the given rate, not the
 * recovery from the saturating run before it: `settle` first waits (bounded) until the gateway's
 * outbox and inbox are drained, then an unmeasured warm-up runs at the same rate. With
 * `alongside`, a second open loop at the same rate runs in the same window (the direct path next
 * to the gateway's), so both meet the same moment of this shared machine.
 */
async function measure(
  opts: BenchOptions,
  log: Log,
  label: string,
  probes: readonly UsageProbe[],
  op: (tag: string) => Op,
  extra: { settle?: () => Promise<void>; alongside?: (tag: string) => Op } = {},
): Promise<PaymentResults & { alongside: OpenLoopResult | null }> {
  const ms = (s: number): number => s * 1000;
  if (opts.warmupS > 0) await closedLoop({ concurrency: opts.concurrency, durationMs: ms(opts.warmupS), op: op("W") });
  log(`${label}: throughput, ${opts.concurrency} clients for ${opts.durationS} s`);
  const throughput = await withUsage(probes, () => closedLoop({ concurrency: opts.concurrency, durationMs: ms(opts.durationS), op: op("T") }), opsOf);
  log(`${label}: ${throughput.okPerSecond.toFixed(0)} ok/s, ${throughput.failed} failed; cpu: ${cpuLine(throughput.cpu)}`);
  await extra.settle?.();
  const loops = (phase: string, durationMs: number): [Promise<OpenLoopResult>, Promise<OpenLoopResult | null>] => [
    openLoop({ ratePerSec: opts.rate, durationMs, op: op(phase) }),
    extra.alongside ? openLoop({ ratePerSec: opts.rate, durationMs, op: extra.alongside(phase) }) : Promise.resolve(null),
  ];
  if (opts.warmupS > 0) await Promise.all(loops("V", ms(opts.warmupS)));
  log(`${label}: latency at ${opts.rate}/s for ${opts.durationS} s${extra.alongside ? ", with the direct path at the same rate alongside" : ""}`);
  let alongside: OpenLoopResult | null = null;
  const latency = await withUsage(
    probes,
    async () => {
      const [mine, other] = loops("L", ms(opts.durationS));
      alongside = await other;
      return mine;
    },
    opsOf,
  );
  log(`${label}: p50 ${latency.latency.p50Ms} ms, p99 ${latency.latency.p99Ms} ms, ${latency.failed} failed`);
  return { throughput, latency, alongside };
}

/** Unique per run and phase: the gateway de-duplicates identical legacy requests by their fields. */
const runTag = (): string => `B${Date.now().toString(36)}`;

export async function runDirect(world: BenchWorld, opts: BenchOptions, log: Log): Promise<PaymentResults> {
  const client = createHttpClient(world.sandboxUrl, { maxSockets: opts.concurrency });
  const tag = runTag();
  try {
    const { throughput, latency } = await measure(opts, log, "direct", world.probes, (phase) =>
      directChargeOp({ client, merchants: world.merchants, tag: `${tag}${phase}` }),
    );
    return { throughput, latency };
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
  const direct = createHttpClient(world.sandboxUrl, { maxSockets: opts.concurrency });
  const tag = runTag();
  const samplePids: Array<{ pid: string; merchant: OpMerchant }> = [];
  const onPid = (pid: string, merchant: OpMerchant): void => {
    if (samplePids.length < SAMPLE_PIDS) samplePids.push({ pid, merchant });
  };
  const op = (phase: string, merchants = world.merchants): Op =>
    legacyCaptureOp({ client, merchants, memberId: BENCH_MEMBER_ID, tag: `${tag}${phase}`, onPid });
  try {
    const alongside = (phase: string): Op => directChargeOp({ client: direct, merchants: world.merchants, tag: `${tag}D${phase}` });
    const { alongside: directAlongside, ...r } = await measure(opts, log, label, gw.probes, (phase) => op(phase), { settle, alongside });
    if (!directAlongside) throw new Error("direct latency alongside the gateway's was not measured");
    log(`${label}: direct alongside: p50 ${directAlongside.latency.p50Ms} ms, p99 ${directAlongside.latency.p99Ms} ms, ${directAlongside.failed} failed`);
    let singleMerchant: Measured<LoopResult> | null = null;
    if (opts.singleMerchantS > 0) {
      log(`${label}: one merchant only, ${opts.concurrency} clients for ${opts.singleMerchantS} s`);
      const one = world.merchants.slice(0, 1);
      singleMerchant = await withUsage(
        gw.probes,
        () => closedLoop({ concurrency: opts.concurrency, durationMs: opts.singleMerchantS * 1000, op: op("S", one) }),
        opsOf,
      );
      log(`${label}: one merchant: ${singleMerchant.okPerSecond.toFixed(0)} ok/s, ${singleMerchant.failed} failed`);
    }
    return { ...r, directAlongside, singleMerchant, samplePids };
  } finally {
    client.close();
    direct.close();
  }
}
