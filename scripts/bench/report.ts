/**
 * The bench's result document (written as JSON) and its Markdown table (printed to stdout for
 * the README). Targets are checked here, in one place, against the measured figures.
 */
import { cpus, loadavg } from "node:os";
import type { KickbackResult } from "./kickback-phase";
import type { LoopResult, OpenLoopResult } from "./load-loops";
import type { BenchDb, BenchOptions } from "./options";
import type { GatewayPaymentResults, Measured, PaymentResults } from "./payment-phases";
import type { PeakResults } from "./peak-phase";
import type { ProfileSummary } from "./profile-summary";
import type { ReceiverStats } from "./receiver-proc";
import type { SqlStat } from "./sql-timing";
import { diffSummaries, type LatencySummary } from "./stats";
import type { UsageDelta } from "./usage";

export interface DbResults {
  readonly payments: Omit<GatewayPaymentResults, "samplePids">;
  /** Gateway latency − the direct path's latency measured alongside it, percentile by percentile. */
  readonly gatewayAddedLatency: Omit<LatencySummary, "count">;
  readonly webhook: Measured<OpenLoopResult> & { distinctCharges: number };
  /** Kickbacks of the payment phases: received by the merchant receiver, and time to drain the outbox. */
  readonly paymentKickbacks: { received: ReceiverStats; drainMs: number; pendingAfter: number };
  readonly kickbacks: KickbackResult;
  readonly profiles: readonly ProfileSummary[];
  /** With --sql-timing: costliest statements of the payments and kickback gateways. */
  readonly sql: { readonly payments: readonly SqlStat[]; readonly kickbacks: readonly SqlStat[] };
}

export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

export interface BenchReport {
  readonly startedAt: string;
  readonly finishedAt: string;
  /** loadAvg: 1-minute load average at start and end (the machine is shared: noise shows here). */
  readonly machine: { cpus: number; cpuModel: string; node: string; platform: string; loadAvg: { start: number; end: number } };
  readonly options: BenchOptions;
  readonly layout: string;
  readonly direct: PaymentResults;
  readonly databases: Partial<Record<BenchDb, DbResults>>;
  /** One merchant at UnivaPay's rate limits, webhook-first vs polling (null: --peak 0). */
  readonly peak: PeakResults | null;
  readonly targets: readonly TargetCheck[];
  /** With --profile: where the sandbox's CPU went over the whole run. */
  readonly sandboxProfiles?: readonly ProfileSummary[];
}

export const LAYOUT =
  "4 processes: orchestrator + load generator (parent), gateway (child), UnivaPay sandbox (child), kickback receiver (child); all on 127.0.0.1";

export function machineInfo(loadAtStart: number): BenchReport["machine"] {
  const loadAvg = { start: loadAtStart, end: loadavg()[0] ?? 0 };
  return { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "?", node: process.version, platform: `${process.platform}-${process.arch}`, loadAvg };
}

export function gatewayAdded(p: GatewayPaymentResults): Omit<LatencySummary, "count"> {
  return diffSummaries(p.latency.latency, p.directAlongside.latency);
}

const f0 = (x: number): string => x.toFixed(0);
const f1 = (x: number): string => x.toFixed(1);
const fails = (r: LoopResult): string => (r.failed === 0 ? "" : ` (${r.failed} failed)`);

export function checkTargets(r: Pick<BenchReport, "databases" | "peak">): TargetCheck[] {
  const out: TargetCheck[] = [];
  const hooked = r.peak?.runs.find((x) => x.mode === "webhooks");
  if (r.peak && hooked) {
    out.push({
      target: "one merchant ≥ 47.5 payments/s at UnivaPay's limits, all rst=1 inside the deadline",
      measured: `${f1(hooked.run.okPerSecond)}/s, ${hooked.run.failed} failed, ${hooked.overDeadline} over ${r.peak.answerDeadlineMs} ms`,
      met: hooked.run.okPerSecond >= 47.5 && hooked.run.failed === 0 && hooked.overDeadline === 0,
    });
  }
  for (const [db, d] of Object.entries(r.databases)) {
    if (!d) continue;
    const t = d.payments.throughput;
    if (db === "sqlite")
      out.push({
        target: "≥ 1,000 legacy payments/s on SQLite (all rst=1)",
        measured: `${f0(t.okPerSecond)}/s, ${t.failed} failed`,
        met: t.okPerSecond >= 1000 && t.failed === 0,
      });
    out.push({
      target: `gateway-added latency p99 ≤ 10 ms at 200 req/s (${db})`,
      measured: `${f1(d.gatewayAddedLatency.p99Ms)} ms`,
      met: d.gatewayAddedLatency.p99Ms <= 10 && d.payments.latency.failed === 0 && d.payments.directAlongside.failed === 0,
    });
    out.push({
      target: `webhook ack p99 ≤ 20 ms (${db})`,
      measured: `${f1(d.webhook.latency.p99Ms)} ms`,
      met: d.webhook.latency.p99Ms <= 20 && d.webhook.failed === 0,
    });
    out.push({
      target: `≥ 1,000 kickbacks/s delivered, each once (${db})`,
      measured: `${f0(d.kickbacks.perSecond)}/s`,
      met: d.kickbacks.perSecond >= 1000 && d.kickbacks.allDeliveredOnce,
    });
  }
  return out;
}

const cpuCell = (cpu: Record<string, UsageDelta>): string =>
  ["gateway", "sandbox", "loadgen"].map((k) => (cpu[k] ? String(cpu[k].cpuUsPerOp) : "–")).join(" / ");
const lat = (s: LatencySummary): string => `${f1(s.p50Ms)} / ${f1(s.p95Ms)} / ${f1(s.p99Ms)} / ${f1(s.maxMs)}`;

export function renderMarkdown(r: BenchReport): string {
  const dbs = Object.keys(r.databases) as BenchDb[];
  const names: Record<BenchDb, string> = { sqlite: "Gateway (SQLite)", postgres: "Gateway (PostgreSQL)" };
  const o = r.options;
  const row = (label: string, direct: string, per: (d: DbResults) => string): string =>
    `| ${label} | ${direct} | ${dbs
      .map((db) => {
        const d = r.databases[db];
        return d ? per(d) : "–";
      })
      .join(" | ")} |`;
  const lines = [
    `Bench ${r.startedAt} · ${r.machine.cpus} × ${r.machine.cpuModel} · Node ${r.machine.node} · load avg ${r.machine.loadAvg.start.toFixed(1)}→${r.machine.loadAvg.end.toFixed(1)} · ${o.merchants} merchants · sandbox answering at once`,
    "",
    `| Measure | Direct to sandbox | ${dbs.map((d) => names[d]).join(" | ")} |`,
    `|---|---|${dbs.map(() => "---").join("|")}|`,
    row(
      `Payments/s, closed loop ${o.concurrency} clients × ${o.durationS} s`,
      `${f0(r.direct.throughput.okPerSecond)}${fails(r.direct.throughput)}`,
      (d) => `${f0(d.payments.throughput.okPerSecond)}${fails(d.payments.throughput)}`,
    ),
    row(`Payments/s, one merchant only (${o.singleMerchantS} s)`, "–", (d) =>
      d.payments.singleMerchant ? `${f0(d.payments.singleMerchant.okPerSecond)}${fails(d.payments.singleMerchant)}` : "–",
    ),
    row(
      `Latency p50/p95/p99/max ms at ${o.rate}/s`,
      `${lat(r.direct.latency.latency)}${fails(r.direct.latency)}`,
      (d) => `${lat(d.payments.latency.latency)}${fails(d.payments.latency)}`,
    ),
    row(
      `Direct latency in the same window (alongside) p50/p95/p99/max ms`,
      "–",
      (d) => `${lat(d.payments.directAlongside.latency)}${fails(d.payments.directAlongside)}`,
    ),
    row(
      "Gateway-added p50/p95/p99/max ms (gateway − direct alongside)",
      "–",
      (d) =>
        `${f1(d.gatewayAddedLatency.p50Ms)} / ${f1(d.gatewayAddedLatency.p95Ms)} / ${f1(d.gatewayAddedLatency.p99Ms)} / ${f1(d.gatewayAddedLatency.maxMs)}`,
    ),
    row("CPU µs per payment (throughput run): gateway / sandbox / load gen", cpuCell(r.direct.throughput.cpu), (d) => cpuCell(d.payments.throughput.cpu)),
    row(`Webhook ack p50/p95/p99/max ms at ${o.webhookRate}/s`, "–", (d) => `${lat(d.webhook.latency)}${fails(d.webhook)}`),
    row(`Kickbacks/s delivered (${o.kickbacks}, each once?)`, "–", (d) => `${f0(d.kickbacks.perSecond)} (${d.kickbacks.allDeliveredOnce ? "yes" : "NO"})`),
    ...peakLines(r),
    "",
    "| Target | Measured | Met |",
    "|---|---|---|",
    ...r.targets.map((t) => `| ${t.target} | ${t.measured} | ${t.met ? "yes" : "**no**"} |`),
  ];
  return lines.join("\n") + "\n";
}

function peakLines(r: BenchReport): string[] {
  if (!r.peak) return [];
  const p = r.peak;
  const errs = (e: Record<string, number>): string =>
    Object.entries(e)
      .map(([k, n]) => `${n}× ${k}`)
      .join(", ") || "none";
  return [
    "",
    `One merchant, the sandbox's real rate limits on (charges 3,000/min, other calls 1,200/min), open loop at ${p.ratePerSec}/s for ${p.durationS} s:`,
    "",
    "| Settlement | Payments/s (rst=1) | Failures | Over the deadline | Latency p50/p95/p99/max ms |",
    "|---|---|---|---|---|",
    ...p.runs.map(
      (x) =>
        `| ${x.mode === "webhooks" ? "webhook-first" : "polling (no webhook)"} | ${f1(x.run.okPerSecond)} | ${errs(x.run.errors)} | ${x.overDeadline} | ${lat(x.run.serviceLatency)} |`,
    ),
  ];
}
