/**
 * Kickback delivery throughput: N captured payments, each with one due kickback to the local
 * receiver, are written straight into the store by a gateway whose loops are off; then the
 * dispatcher starts and we time until the receiver has seen all N (and check: each exactly once,
 * and the outbox empty afterwards).
 */
import type { RunningGateway } from "./bench-gateway";
import type { BenchOptions } from "./options";
import type { Log } from "./payment-phases";
import type { ReceiverStats } from "./receiver-proc";
import type { BenchWorld } from "./setup";
import { withUsage, type UsageDelta } from "./usage";

export interface KickbackResult {
  readonly enqueued: number;
  readonly seedMs: number;
  readonly received: ReceiverStats;
  readonly allDeliveredOnce: boolean;
  /** First enqueue-to-delivery clock: dispatcher start → last kickback received. */
  readonly elapsedMs: number;
  readonly perSecond: number;
  readonly pendingAfter: number;
  readonly deadAfter: number;
  /** CPU per delivered kickback, per process, while dispatching. */
  readonly cpu: Record<string, UsageDelta>;
}

const epochMs = (): number => performance.timeOrigin + performance.now();
const WAIT_MS = 120_000;

export async function runKickbackDelivery(world: BenchWorld, gw: RunningGateway, opts: BenchOptions, log: Log, label: string): Promise<KickbackResult> {
  await world.receiver.rpc.call("reset", null);
  const sid = world.merchants[0]?.sid ?? "";
  const seeded = await gw.child.rpc.call("seedKickbacks", { count: opts.kickbacks, sid, url: world.receiverUrl });
  log(`${label}: ${opts.kickbacks} kickbacks enqueued in ${seeded.seedMs.toFixed(0)} ms; dispatching`);
  const started = epochMs();
  const { cpu, ...received } = await withUsage(
    gw.probes,
    async () => {
      await gw.child.rpc.call("startLoops", null);
      return world.receiver.rpc.call("waitForUnique", { unique: opts.kickbacks, timeoutMs: WAIT_MS });
    },
    (r) => r.unique,
  );
  // Completion is recorded after the receiver answered: give the last rows a moment (bounded).
  let depths = await gw.child.rpc.call("queueDepths", null);
  for (let i = 0; i < 50 && depths.kickbacksPending > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    depths = await gw.child.rpc.call("queueDepths", null);
  }
  const elapsedMs = (received.lastAt ?? epochMs()) - started;
  const result: KickbackResult = {
    enqueued: opts.kickbacks,
    seedMs: seeded.seedMs,
    received,
    allDeliveredOnce: received.unique === opts.kickbacks && received.duplicates === 0 && received.total === opts.kickbacks,
    elapsedMs,
    perSecond: (received.unique * 1000) / elapsedMs,
    pendingAfter: depths.kickbacksPending,
    deadAfter: depths.kickbacksDead,
    cpu,
  };
  log(
    `${label}: ${received.unique}/${opts.kickbacks} kickbacks in ${elapsedMs.toFixed(0)} ms = ${result.perSecond.toFixed(0)}/s, duplicates ${received.duplicates}`,
  );
  return result;
}
