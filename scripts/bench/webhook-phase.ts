/**
 * Webhook ingest: charge_finished deliveries about real gateway charges (fetched from the
 * sandbox as UnivaPay would send them), each with a unique event id, posted at a fixed rate with
 * the merchant's webhook token. Measures the acknowledgement latency only; the processor runs in
 * the background as in production (it re-fetches each charge and finds nothing left to do).
 */
import { createHttpClient } from "./http-client";
import { openLoop, type OpenLoopResult } from "./load-loops";
import { webhookOp, type OpMerchant } from "./ops";
import type { BenchOptions } from "./options";
import type { RunningGateway } from "./bench-gateway";
import type { Log, Measured } from "./payment-phases";
import { withUsage } from "./usage";
import type { BenchWorld } from "./setup";

export async function runWebhookIngest(
  world: BenchWorld,
  gw: RunningGateway,
  samplePids: ReadonlyArray<{ pid: string; merchant: OpMerchant }>,
  opts: BenchOptions,
  log: Log,
  label: string,
): Promise<Measured<OpenLoopResult> & { distinctCharges: number }> {
  const chargeIds = await gw.child.rpc.call("chargeIds", { pids: samplePids.map((p) => p.pid) });
  const sandbox = createHttpClient(world.sandboxUrl, { maxSockets: 8 });
  const events: Array<{ merchant: OpMerchant; charge: Record<string, unknown> }> = [];
  try {
    for (const [i, id] of chargeIds.entries()) {
      const merchant = samplePids[i]?.merchant;
      if (!id || !merchant) continue;
      const r = await sandbox.request({
        method: "GET",
        path: `/stores/${merchant.storeId}/charges/${id}`,
        headers: { authorization: `Bearer ${merchant.secret}.${merchant.appToken}` },
      });
      if (r.status === 200) events.push({ merchant, charge: JSON.parse(r.body) as Record<string, unknown> });
    }
  } finally {
    sandbox.close();
  }
  if (events.length === 0) throw new Error(`${label}: no gateway charge to build webhook bodies from`);
  const client = createHttpClient(gw.url, { maxSockets: 64 });
  try {
    const op = webhookOp({ client, events });
    if (opts.warmupS > 0) await openLoop({ ratePerSec: opts.webhookRate, durationMs: opts.warmupS * 1000, op });
    log(`${label}: webhook ingest at ${opts.webhookRate}/s for ${opts.durationS} s (${events.length} distinct charges)`);
    const r = await withUsage(
      gw.probes,
      () => openLoop({ ratePerSec: opts.webhookRate, durationMs: opts.durationS * 1000, op }),
      (x) => x.ok + x.failed,
    );
    log(`${label}: webhook ack p50 ${r.latency.p50Ms} ms, p99 ${r.latency.p99Ms} ms, ${r.failed} failed`);
    return { ...r, distinctCharges: events.length };
  } finally {
    client.close();
  }
}
