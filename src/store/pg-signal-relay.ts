/**
 * Carries settle signals between gateway instances sharing one PostgreSQL database: a change made
 * by one instance's webhook processor wakes the request waiting for it on another (LISTEN/NOTIFY
 * on one channel per schema). Best effort by design: a lost notification only means the waiting
 * request falls back to polling UnivaPay, so the relay never blocks or fails a payment. One
 * dedicated connection, re-opened after a drop.
 */
import { Client } from "pg";
import type { Logger } from "../logging/logger";
import type { SettleSignals } from "../transitions/settle-signals";

const RECONNECT_MS = 1_000;
/** Transition ids are short ASCII; anything else on the channel is not ours. */
const TRANSITION_ID = /^[A-Za-z0-9:_-]{1,100}$/;

export interface PgSignalRelay {
  /** Resolves once the first LISTEN is in place (never rejects: a failure is retried). */
  readonly listening: Promise<void>;
  close(): Promise<void>;
}

export function channelFor(pgSchema: string | undefined): string {
  return `gw_settled_${pgSchema ?? "public"}`;
}

export function startPgSignalRelay(opts: { databaseUrl: string; pgSchema?: string; signals: SettleSignals; logger: Logger }): PgSignalRelay {
  const { signals } = opts;
  const log = opts.logger.child({ module: "store.signal-relay" });
  const channel = channelFor(opts.pgSchema);
  let client: Client | undefined;
  let ready = false;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let onListening: () => void = () => undefined;
  const listening = new Promise<void>((resolve) => (onListening = resolve));

  const connect = async (): Promise<void> => {
    const c = new Client({ connectionString: opts.databaseUrl });
    client = c;
    const lost = (err?: Error) => {
      if (client !== c) return;
      ready = false;
      client = undefined;
      void c.end().catch(() => undefined);
      if (closed) return;
      log.warn({ err }, "settle-signal connection lost; waiting requests poll until it is back");
      timer = setTimeout(() => void connect(), RECONNECT_MS);
      timer.unref();
    };
    c.on("error", lost);
    c.on("end", () => lost());
    c.on("notification", (m) => {
      if (m.channel === channel && m.payload && TRANSITION_ID.test(m.payload)) signals.deliver(m.payload);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
      ready = true;
      onListening();
    } catch (err) {
      lost(err as Error);
    }
  };

  signals.relayTo((id) => {
    if (!ready || !client) return;
    client.query("SELECT pg_notify($1, $2)", [channel, id]).catch((err: unknown) => log.warn({ err }, "settle signal not sent"));
  });
  void connect();

  return {
    listening,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      signals.relayTo(undefined);
      const c = client;
      client = undefined;
      ready = false;
      await c?.end().catch(() => undefined);
    },
  };
}
