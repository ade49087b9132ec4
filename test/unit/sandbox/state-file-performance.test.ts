/**
 * How much a state file costs a busy sandbox. A state like the gateway's benchmark builds (per
 * payment: a token, a charge and the charge's idempotency record) is compacted, journaled and
 * loaded, while a probe measures the longest time the event loop was held. Default 20,000
 * payments; SANDBOX_STATE_BENCH_PAYMENTS=100000 for the figures in docs/sandbox-decisions.md.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import pino from "pino";
import { IdempotencyStore } from "../../../src/sandbox/idempotency";
import { openStateFile } from "../../../src/sandbox/persistence/open-state-file";
import { readStateFile } from "../../../src/sandbox/persistence/read-state-file";
import { restoreState } from "../../../src/sandbox/persistence/restore-state";
import { snapshotLines } from "../../../src/sandbox/persistence/state-lines";
import type { ChargeRecord, TokenRecord } from "../../../src/sandbox/state/models";
import { renderCharge } from "../../../src/sandbox/state/render";
import { SandboxState } from "../../../src/sandbox/state/sandbox-state";

const PAYMENTS = Number(process.env["SANDBOX_STATE_BENCH_PAYMENTS"] ?? 20_000);
/** One second of the benchmark's traffic. */
const PER_SECOND = 1500;
const NOW = Date.UTC(2025, 0, 6);

function uuid(i: number): string {
  const h = i.toString(16).padStart(12, "0");
  return `11ef335e-9aa5-c54a-8313-${h}`;
}

let n = 0;
async function addPayment(state: SandboxState, idem: IdempotencyStore): Promise<void> {
  n += 1;
  const token: TokenRecord = {
    id: uuid(2 * n),
    seq: state.nextSeq(),
    storeId: "store-1",
    merchantId: "merchant-1",
    mode: "test",
    type: "one_time",
    usageLimit: null,
    email: "member@example.com",
    metadata: { "univapay-customer-id": uuid(n) },
    ipAddress: "127.0.0.1",
    card: { number: "4000020000000000", cardholder: "TARO YAMADA", expMonth: 12, expYear: 2099, brand: "visa" },
    billing: { line1: null, line2: null, state: null, city: null, country: null, zip: null, phoneNumber: null },
    cvvAuthorize: { enabled: false, status: null, chargeId: null, currency: null },
    active: false,
    createdAt: NOW,
    updatedAt: NOW,
    lastUsedAt: NOW,
    cvvSuppliedAt: NOW,
  };
  state.tokens.set(token.id, token);
  const charge: ChargeRecord = {
    id: uuid(2 * n + 1),
    seq: state.nextSeq(),
    storeId: "store-1",
    merchantId: "merchant-1",
    tokenId: token.id,
    tokenType: "one_time",
    subscriptionId: null,
    requestedAmount: 1000 + (n % 5000),
    requestedCurrency: "JPY",
    chargedAmount: 1000,
    chargedCurrency: "JPY",
    capture: true,
    captureAt: null,
    status: "successful",
    error: null,
    metadata: { order_id: `ORDER-${n}`, sid: "500001" },
    mode: "test",
    descriptor: null,
    onlyDirectCurrency: false,
    createdAt: NOW,
    updatedAt: NOW,
    authorizedAmount: null,
    isCvvAuth: false,
    pendingOp: null,
    cancelPending: false,
    card: { chargeFails: false, refundFails: false, cancelFails: false },
    payer: {
      cardNumber: "4000020000000000",
      cardholder: "TARO YAMADA",
      expMonth: 12,
      expYear: 2099,
      brand: "visa",
      email: "member@example.com",
      phoneDigits: null,
      localPhoneDigits: null,
    },
  };
  state.addCharge(charge);
  const begun = await idem.begin("store-1", `gw-${n}`, "POST", "/charges");
  if (begun.kind === "new") begun.complete({ status: 201, body: renderCharge(charge) });
}

/** Longest gap between two turns of the event loop while `work` runs. */
async function longestBlock(work: () => Promise<void>): Promise<{ ms: number; blockMs: number }> {
  let last = performance.now();
  let worst = 0;
  let running = true;
  const probe = (): void => {
    const t = performance.now();
    worst = Math.max(worst, t - last);
    last = t;
    if (running) setImmediate(probe);
  };
  setImmediate(probe);
  const start = performance.now();
  await work();
  const ms = performance.now() - start;
  running = false;
  return { ms, blockMs: worst };
}

describe(`state file with ${PAYMENTS} payments`, () => {
  const dir = mkdtempSync(join(tmpdir(), "sandbox-perf-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("saves without holding the event loop for long, and loads back", async () => {
    const state = new SandboxState();
    const idem = new IdempotencyStore(() => NOW);
    state.merchants.set("merchant-1", { id: "merchant-1", name: "M", email: "m@x", createdAt: NOW });
    state.stores.set("store-1", {
      id: "store-1",
      seq: state.nextSeq(),
      merchantId: "merchant-1",
      name: "S",
      mode: "test",
      pci: true,
      recurringPrivilege: "infinite",
      verified: true,
      createdAt: NOW,
    });
    state.appTokens.set("jti-1", { jti: "jti-1", storeId: "store-1", secret: "s", jwt: "a.b.c" });
    const file = join(dir, "state.json");
    const persister = openStateFile(file).start({
      state,
      idempotency: idem,
      identity: { jwtKey: Buffer.alloc(32), platformId: "p", demo: { storeId: "store-1", jti: "jti-1" } },
      sandboxNow: () => NOW,
      logger: pino({ level: "silent" }),
      // Compaction forced on the second save; no timer saves in between.
      policy: { debounceMs: 60_000, minIntervalMs: 60_000, minCompactJournalBytes: 0 },
    });
    for (let i = 0; i < PAYMENTS; i++) await addPayment(state, idem);

    // What one synchronous save of everything would cost (the design this file avoids).
    const t0 = performance.now();
    const all = [...snapshotLines(state, idem)].join("\n");
    const wholeMs = performance.now() - t0;

    const firstBatch = await longestBlock(() => persister.saveNow()); // journal batch of everything (chunked)
    const compaction = await longestBlock(() => persister.saveNow()); // journal ≥ snapshot → full rewrite
    const bytes = statSync(file).size;
    for (let i = 0; i < PER_SECOND; i++) await addPayment(state, idem);
    const oneSecond = await longestBlock(() => persister.saveNow());
    await persister.close();

    const l0 = performance.now();
    const loaded = readStateFile(file);
    const restored = new SandboxState();
    if (loaded) restoreState(loaded.records, loaded.lastSave.seq, restored, new IdempotencyStore(() => NOW));
    const loadMs = performance.now() - l0;

    const r = (x: number): number => Math.round(x * 10) / 10;
    process.stdout.write(
      `${JSON.stringify({
        payments: PAYMENTS,
        fileMiB: r(bytes / 2 ** 20),
        syncSerialiseAllMs: r(wholeMs),
        syncSerialiseMiB: r(all.length / 2 ** 20),
        firstBatch: { ms: r(firstBatch.ms), longestBlockMs: r(firstBatch.blockMs) },
        compaction: { ms: r(compaction.ms), longestBlockMs: r(compaction.blockMs) },
        oneSecondOfBenchTraffic: { ms: r(oneSecond.ms), longestBlockMs: r(oneSecond.blockMs) },
        loadMs: r(loadMs),
      })}\n`,
    );
    expect(restored.charges.size).toBe(PAYMENTS + PER_SECOND);
    expect(restored.tokens.size).toBe(PAYMENTS + PER_SECOND);
    // Generous bounds for a shared test machine; the measured figures are far lower.
    expect(compaction.blockMs).toBeLessThan(100);
    expect(oneSecond.blockMs).toBeLessThan(100);
  });
});
