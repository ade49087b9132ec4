/**
 * CPU accounting per process around a measured run: how many CPU milliseconds each process (load
 * generator, gateway, sandbox, receiver) spent per operation, and how busy the event loop was.
 * On two shared cores this tells whether the gateway or its neighbours ran out of CPU.
 */
import { performance } from "node:perf_hooks";

export interface Usage {
  readonly userUs: number;
  readonly systemUs: number;
  readonly eluIdle: number;
  readonly eluActive: number;
}

export interface UsageDelta {
  readonly cpuMs: number;
  /** CPU time per successful or failed operation of the run. */
  readonly cpuUsPerOp: number;
  /** Share of wall time the event loop was busy (0..1). */
  readonly eventLoopBusy: number;
}

export async function processUsage(): Promise<Usage> {
  const c = process.cpuUsage();
  const e = performance.eventLoopUtilization();
  return { userUs: c.user, systemUs: c.system, eluIdle: e.idle, eluActive: e.active };
}

export function usageDelta(a: Usage, b: Usage, ops: number): UsageDelta {
  const cpuUs = b.userUs + b.systemUs - (a.userUs + a.systemUs);
  const active = b.eluActive - a.eluActive;
  const total = active + (b.eluIdle - a.eluIdle);
  return {
    cpuMs: Math.round(cpuUs / 1000),
    cpuUsPerOp: ops > 0 ? Math.round(cpuUs / ops) : 0,
    eventLoopBusy: total > 0 ? Math.round((active / total) * 1000) / 1000 : 0,
  };
}

/** A named process whose usage can be sampled (a child over IPC, or this process). */
export interface UsageProbe {
  readonly name: string;
  sample(): Promise<Usage>;
}

/** Runs `fn` and reports each probe's usage over it, per operation counted by `opsOf`. */
export async function withUsage<T>(
  probes: readonly UsageProbe[],
  fn: () => Promise<T>,
  opsOf: (r: T) => number,
): Promise<T & { cpu: Record<string, UsageDelta> }> {
  const before = await Promise.all(probes.map((p) => p.sample()));
  const r = await fn();
  const after = await Promise.all(probes.map((p) => p.sample()));
  const cpu: Record<string, UsageDelta> = {};
  probes.forEach((p, i) => {
    const a = before[i];
    const b = after[i];
    if (a && b) cpu[p.name] = usageDelta(a, b, opsOf(r));
  });
  return { ...r, cpu };
}
