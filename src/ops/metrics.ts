/**
 * Prometheus metrics (prom-client), one registry per gateway instance so tests can run several
 * gateways in one process. Names follow Prometheus conventions: *_total counters, *_seconds.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export interface Metrics {
  readonly registry: Registry;
  readonly legacyRequests: Counter<"endpoint" | "rst">;
  readonly legacyDuration: Histogram<"endpoint">;
  readonly kickbackAttempts: Counter<"outcome">;
  readonly kickbackDuration: Histogram;
  readonly webhookEvents: Counter<"result">;
  readonly hostedPages: Counter<"step" | "outcome">;
  readonly queueDepth: Gauge<"queue">;
}

export function createMetrics(opts: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    legacyRequests: new Counter({
      name: "gateway_legacy_requests_total",
      help: "Legacy requests answered, by endpoint and legacy rst (1 success, 2 failure, 0 pending)",
      labelNames: ["endpoint", "rst"],
      registers: [registry],
    }),
    legacyDuration: new Histogram({
      name: "gateway_legacy_request_duration_seconds",
      help: "Time to answer a legacy request, including UnivaPay calls",
      labelNames: ["endpoint"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    kickbackAttempts: new Counter({
      name: "gateway_kickback_attempts_total",
      help: "Kickback delivery attempts by outcome (delivered, retry, dead)",
      labelNames: ["outcome"],
      registers: [registry],
    }),
    kickbackDuration: new Histogram({
      name: "gateway_kickback_attempt_duration_seconds",
      help: "Duration of one kickback HTTP attempt",
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10],
      registers: [registry],
    }),
    webhookEvents: new Counter({
      name: "gateway_webhook_events_total",
      help: "UnivaPay webhook deliveries by result (stored, duplicate, unauthenticated, unavailable)",
      labelNames: ["result"],
      registers: [registry],
    }),
    hostedPages: new Counter({
      name: "gateway_hosted_page_requests_total",
      help: "Link-method browser requests by step (entry, return) and outcome (sent_to_form, refused, paid, not_paid, processing, …)",
      labelNames: ["step", "outcome"],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: "gateway_queue_depth",
      help: "Rows waiting, by queue (kickbacks_pending, kickbacks_dead, webhooks_pending)",
      labelNames: ["queue"],
      registers: [registry],
    }),
  };
}
