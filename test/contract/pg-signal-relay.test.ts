/**
 * The PostgreSQL relay of settle signals: a change one instance's webhook processor makes wakes
 * the request waiting for it on another instance (LISTEN/NOTIFY), and only instances on the same
 * schema hear it.
 */
import { createLogger } from "../../src/logging/logger";
import { startPgSignalRelay } from "../../src/store/pg-signal-relay";
import { createSettleSignals } from "../../src/transitions/settle-signals";
import { PG_URL } from "../support/gateway-harness";

describe("pg signal relay", () => {
  const logger = createLogger({ level: "silent" });
  const schema = `relay_${process.pid}`;
  const a = createSettleSignals();
  const b = createSettleSignals();
  const other = createSettleSignals();
  const relays = [
    startPgSignalRelay({ databaseUrl: PG_URL, pgSchema: schema, signals: a, logger }),
    startPgSignalRelay({ databaseUrl: PG_URL, pgSchema: schema, signals: b, logger }),
    startPgSignalRelay({ databaseUrl: PG_URL, pgSchema: `${schema}_x`, signals: other, logger }),
  ];
  beforeAll(async () => {
    await Promise.all(relays.map((r) => r.listening));
  });
  afterAll(async () => {
    await Promise.all(relays.map((r) => r.close()));
  });

  it("wakes a waiter on another instance, not one on another schema", async () => {
    const onA = a.subscribe("c-12345678");
    const onOther = other.subscribe("c-12345678");
    b.changed("c-12345678"); // no waiter on b: published
    expect(await onA.next(Date.now() + 5_000)).toBe(true);
    expect(await onOther.next(Date.now() + 300)).toBe(false);
    onA.close();
    onOther.close();
  });

  it("does not publish a change whose waiter is local", async () => {
    const local = b.subscribe("c-23456789");
    const remote = a.subscribe("c-23456789");
    b.changed("c-23456789");
    expect(await local.next(Date.now() + 1_000)).toBe(true);
    expect(await remote.next(Date.now() + 300)).toBe(false);
    local.close();
    remote.close();
  });
});
