/**
 * Run-time fault injection for reliability tests: per-route added latency, a fraction of 5xx
 * answers or dropped connections (before the request is processed, or after — then the work is
 * done but the client never learns it), and withheld or delayed webhooks. Random draws come from a
 * seedable generator so a test can reproduce a run; rates of 0 and 1 are fully deterministic.
 */
import { z } from "zod";

export const RouteFaultSchema = z.object({
  method: z.string().toUpperCase().optional(),
  /** Glob on the path: `*` is one segment's characters, `**` anything (e.g. "/stores/*\/charges/**"). */
  pathPattern: z.string().min(1),
  latencyMs: z.number().int().min(0).max(120_000).optional(),
  errorRate: z.number().min(0).max(1).optional(),
  errorStatus: z.number().int().min(500).max(599).optional(),
  dropRate: z.number().min(0).max(1).optional(),
  when: z.enum(["before", "after"]).optional(),
  /** Applies to the first `times` matching requests only (a lost answer that a same-key retry gets). */
  times: z.number().int().min(1).optional(),
});
export type RouteFault = z.infer<typeof RouteFaultSchema>;

export const WebhookFaultsSchema = z.object({
  /** Deliveries are recorded as withheld and never sent (a lost webhook). */
  withhold: z.boolean().optional(),
  /** Sandbox-clock delay before the first attempt of each delivery. */
  delayMs: z.number().int().min(0).optional(),
});
export type WebhookFaults = z.infer<typeof WebhookFaultsSchema>;

export const FaultConfigSchema = z.object({
  routes: z.array(RouteFaultSchema).default([]),
  webhooks: WebhookFaultsSchema.default({}),
  seed: z.number().int().optional(),
});
export type FaultConfig = z.infer<typeof FaultConfigSchema>;
export type FaultConfigInput = z.input<typeof FaultConfigSchema>;

export interface RouteFaultDecision {
  readonly latencyMs: number;
  readonly errorStatus: number | null;
  readonly drop: boolean;
  readonly when: "before" | "after";
}

const NO_FAULT: RouteFaultDecision = { latencyMs: 0, errorStatus: null, drop: false, when: "before" };

export class FaultInjector {
  private config: FaultConfig = FaultConfigSchema.parse({});
  private random: () => number = Math.random;
  private compiled: Array<{ fault: RouteFault; re: RegExp; hits: number }> = [];

  /** Replaces the whole configuration (throws a ZodError on bad input). */
  set(input: FaultConfigInput): void {
    this.config = FaultConfigSchema.parse(input);
    this.compiled = this.config.routes.map((fault) => ({ fault, re: globToRegExp(fault.pathPattern), hits: 0 }));
    this.random = this.config.seed === undefined ? Math.random : mulberry32(this.config.seed);
  }

  clear(): void {
    this.set({});
  }

  current(): FaultConfig {
    return this.config;
  }

  webhooks(): WebhookFaults {
    return this.config.webhooks;
  }

  /** The first matching route fault decides; latency always applies, then drop, then error. */
  decide(method: string, path: string): RouteFaultDecision {
    const hit = this.compiled.find(
      (c) => (!c.fault.method || c.fault.method === method.toUpperCase()) && (c.fault.times === undefined || c.hits < c.fault.times) && c.re.test(path),
    );
    if (!hit) return NO_FAULT;
    hit.hits++;
    const f = hit.fault;
    const drop = (f.dropRate ?? 0) > 0 && this.random() < (f.dropRate ?? 0);
    const error = !drop && (f.errorRate ?? 0) > 0 && this.random() < (f.errorRate ?? 0);
    return { latencyMs: f.latencyMs ?? 0, errorStatus: error ? (f.errorStatus ?? 500) : null, drop, when: f.when ?? "before" };
  }
}

export function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .split("**")
    .map((part) =>
      part
        .split("*")
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join("[^/]*"),
    )
    .join(".*");
  return new RegExp(`^${escaped}$`);
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
