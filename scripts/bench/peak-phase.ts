/**
 * One merchant at UnivaPay's own rate limits (issue 10, item 3): a sandbox with its real limits on
 * (charges 3,000/min, other calls 1,200/min per store), one store, and an open loop of legacy
 * CAPTUREs at `--peak-rate` (default 48/s: above 95 % of the charge ceiling) for `--peak` seconds.
 * Run twice, side by side: with the store's webhook pointing at the gateway (webhook-first
 * settlement) and without one (every payment polls its charge, as before). A run counts only if
 * every answer is rst=1 inside the answer deadline; failures are listed by rst/ec, so a 429 that
 * surfaced would show there.
 */
import { randomUUID } from "node:crypto";
import { createBenchDatabase, startBenchGateway, type RunningGateway } from "./bench-gateway";
import { createHttpClient } from "./http-client";
import { openLoop, type Op, type OpenLoopResult } from "./load-loops";
import type { BenchOptions } from "./options";
import { legacyCaptureOp } from "./ops";
import type { Log } from "./payment-phases";
import type { SandboxHandlers } from "./sandbox-proc";
import { BENCH_MEMBER_ID, prepareMerchants, type BenchWorld } from "./setup";
import { spawnChild } from "./spawn-child";

export type PeakMode = "webhooks" | "polling";

export interface PeakRun {
  readonly mode: PeakMode;
  readonly run: OpenLoopResult;
  /** Answers slower than the gateway's answer deadline (default 4 s). */
  readonly overDeadline: number;
}

export interface PeakResults {
  readonly ratePerSec: number;
  readonly durationS: number;
  readonly answerDeadlineMs: number;
  readonly runs: readonly PeakRun[];
}

const ANSWER_DEADLINE_MS = 4_000;
const WARMUP_S = 3;

async function registerWebhook(sandboxUrl: string, m: { storeId: string; secret: string; appToken: string; webhookToken: string }, url: string): Promise<void> {
  const client = createHttpClient(sandboxUrl, { maxSockets: 1 });
  try {
    const r = await client.request({
      method: "POST",
      path: `/stores/${m.storeId}/webhooks`,
      headers: { authorization: `Bearer ${m.secret}.${m.appToken}`, "content-type": "application/json", "idempotency-key": randomUUID() },
      body: JSON.stringify({ url, auth_token: m.webhookToken, triggers: ["charge_updated", "charge_finished", "cancel_finished", "refund_finished"] }),
    });
    if (r.status !== 201 && r.status !== 200) throw new Error(`webhook registration: HTTP ${r.status} ${r.body.slice(0, 200)}`);
  } finally {
    client.close();
  }
}

export async function runPeak(world: BenchWorld, opts: BenchOptions, log: Log): Promise<PeakResults> {
  const sandbox = spawnChild<SandboxHandlers>("sandbox-proc");
  const runs: PeakRun[] = [];
  try {
    const { url: sandboxUrl } = await sandbox.rpc.call("listen", { rateLimits: true });
    for (const mode of ["polling", "webhooks"] as const) {
      // A fresh store per mode: the previous run's spent rate budget must not carry over.
      const stores = await sandbox.rpc.call("createStores", { count: 1 });
      const merchants = await prepareMerchants(sandboxUrl, stores, 400_001);
      const merchant = merchants[0];
      if (!merchant) throw new Error("no peak merchant");
      const database = createBenchDatabase("sqlite", opts.pgUrl);
      let gw: RunningGateway | undefined;
      try {
        gw = await startBenchGateway({ ...world, sandboxUrl, merchants }, database, opts, true, `peak-${mode}`);
        if (mode === "webhooks") await registerWebhook(sandboxUrl, merchant, `${gw.url}/webhooks/univapay`);
        const client = createHttpClient(gw.url, { maxSockets: 256 });
        try {
          let overDeadline = 0;
          const op = (tag: string): Op => {
            const inner = legacyCaptureOp({ client, merchants, memberId: BENCH_MEMBER_ID, tag: `${mode}-${tag}` });
            return async (seq) => {
              const sentAt = performance.now();
              const r = await inner(seq);
              if (performance.now() - sentAt > ANSWER_DEADLINE_MS) overDeadline++;
              return r;
            };
          };
          log(`peak (${mode}): one merchant, UnivaPay's limits on, ${opts.peakRate}/s for ${opts.peakS} s after a ${WARMUP_S} s warm-up`);
          await openLoop({ ratePerSec: opts.peakRate, durationMs: WARMUP_S * 1000, op: op("w") });
          overDeadline = 0;
          const run = await openLoop({ ratePerSec: opts.peakRate, durationMs: opts.peakS * 1000, op: op("m") });
          log(`peak (${mode}): ${run.ok} ok, ${run.failed} failed (${JSON.stringify(run.errors)}), p99 ${run.latency.p99Ms.toFixed(0)} ms`);
          runs.push({ mode, run, overDeadline });
        } finally {
          client.close();
        }
      } finally {
        await gw?.child.stop();
        await database.drop();
      }
    }
  } finally {
    await sandbox.stop();
  }
  return { ratePerSec: opts.peakRate, durationS: opts.peakS, answerDeadlineMs: ANSWER_DEADLINE_MS, runs };
}
