/**
 * State file round trips without HTTP: a state holding every kind of record is written (first
 * snapshot, journal batches, compaction) and read back into an equal state; a batch cut short by
 * a crash is dropped and cut off, never half applied.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { IdempotencyStore } from "../../../src/sandbox/idempotency";
import { persistableCardNumber } from "../../../src/sandbox/persistence/card-surrogate";
import { openStateFile } from "../../../src/sandbox/persistence/open-state-file";
import { readStateFile } from "../../../src/sandbox/persistence/read-state-file";
import { restoreState } from "../../../src/sandbox/persistence/restore-state";
import type { StateIdentity } from "../../../src/sandbox/persistence/state-lines";
import type { StatePersister } from "../../../src/sandbox/persistence/state-persister";
import type { ChargeRecord, TokenRecord } from "../../../src/sandbox/state/models";
import { SandboxState } from "../../../src/sandbox/state/sandbox-state";
import { createSubscription } from "../../../src/sandbox/subscriptions";
import { cardBehaviour } from "../../../src/sandbox/test-cards";

const NOW = Date.UTC(2025, 0, 6);
const REAL_CARD = "5555555555554444";
const T1 = "11ef32a7-3a71-8662-803f-1bc27702eeec";
const silent = pino({ level: "silent" });
const identity: StateIdentity = { jwtKey: Buffer.alloc(32, 7), platformId: "platform-1", demo: { storeId: "store-1", jti: "jti-1" } };
const FAST = { debounceMs: 1, minIntervalMs: 1, minCompactJournalBytes: Number.MAX_SAFE_INTEGER };

function token(state: SandboxState, id: string, card: string, type: TokenRecord["type"] = "recurring"): TokenRecord {
  const t: TokenRecord = {
    id,
    seq: state.nextSeq(),
    storeId: "store-1",
    merchantId: "merchant-1",
    mode: "test",
    type,
    usageLimit: null,
    email: "a@example.com",
    metadata: { k: "v", n: 1, b: true, z: null },
    ipAddress: "127.0.0.1",
    card: { number: card, cardholder: "TARO YAMADA", expMonth: 12, expYear: 2099, brand: "visa" },
    billing: {
      line1: "1-1",
      line2: null,
      state: null,
      city: "Tokyo",
      country: "JP",
      zip: "100-0001",
      phoneNumber: { countryCode: 81, localNumber: "0312345678" },
    },
    cvvAuthorize: { enabled: type === "recurring", status: type === "recurring" ? "current" : null, chargeId: null, currency: "JPY" },
    active: true,
    createdAt: NOW,
    updatedAt: NOW,
    lastUsedAt: null,
    cvvSuppliedAt: NOW,
  };
  state.tokens.set(id, t);
  return t;
}

function charge(state: SandboxState, id: string, t: TokenRecord, extra: Partial<ChargeRecord> = {}): ChargeRecord {
  const c: ChargeRecord = {
    id,
    seq: state.nextSeq(),
    storeId: t.storeId,
    merchantId: t.merchantId,
    tokenId: t.id,
    tokenType: t.type,
    subscriptionId: null,
    requestedAmount: 1000,
    requestedCurrency: "JPY",
    chargedAmount: 1000,
    chargedCurrency: "JPY",
    capture: true,
    captureAt: null,
    status: "successful",
    error: null,
    metadata: {},
    mode: "test",
    descriptor: null,
    onlyDirectCurrency: false,
    createdAt: NOW,
    updatedAt: NOW,
    authorizedAmount: null,
    isCvvAuth: false,
    pendingOp: null,
    cancelPending: false,
    card: cardBehaviour(t.card.number, "test"),
    payer: {
      cardNumber: t.card.number,
      cardholder: "TARO YAMADA",
      expMonth: 12,
      expYear: 2099,
      brand: "visa",
      email: "a@example.com",
      phoneDigits: "81312345678",
      localPhoneDigits: "0312345678",
    },
    ...extra,
  };
  state.addCharge(c);
  return c;
}

/** A state with at least one record of every kind the file holds. */
function everyKind(): { state: SandboxState; idempotency: IdempotencyStore } {
  const state = new SandboxState();
  state.merchants.set("merchant-1", { id: "merchant-1", name: "M", email: "m@sandbox.invalid", createdAt: NOW });
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
  state.appTokens.set("jti-1", { jti: "jti-1", storeId: "store-1", secret: "secret", jwt: "a.b.c" });
  const t1 = token(state, T1, "4242424242424242");
  const t2 = token(state, "token-2", REAL_CARD, "one_time");
  token(state, "token-gone", "4000020000000000").active = false;
  state.tokens.delete("token-gone");
  state.purgedTokenIds.add("token-gone");
  charge(state, "charge-1", t1, { metadata: { order: "A-1" } });
  charge(state, "charge-2", t2, {
    status: "pending",
    pendingOp: "create",
    chargedAmount: null,
    chargedCurrency: null,
    forcedError: { code: 311, message: "m", details: "d" },
  });
  charge(state, "charge-3", t1, { status: "authorized", capture: false, captureAt: NOW + 60_000, authorizedAmount: 1000, cancelPending: true });
  charge(state, "charge-cvv", t1, { isCvvAuth: true, requestedAmount: 1, status: "failed", error: { code: 309, message: "x", details: "y" } });
  const sub = createSubscription(
    { transaction_token_id: T1, amount: 500, currency: "JPY", period: "monthly", metadata: { plan: "gold" } },
    { id: "sub-1", storeId: "store-1", mode: "test", now: new Date(NOW) },
  );
  if (!sub.ok) throw new Error("subscription");
  state.subscriptions.set("sub-1", sub.sub);
  charge(state, "charge-sub", t1, { subscriptionId: "sub-1", status: "pending", pendingOp: "create" });
  state.paymentOfCharge.set("charge-sub", sub.sub.payments[0]?.id ?? "");
  state.refunds.set("refund-1", {
    id: "refund-1",
    seq: state.nextSeq(),
    storeId: "store-1",
    chargeId: "charge-1",
    status: "pending",
    amount: 100,
    currency: "JPY",
    reason: "customer_request",
    message: null,
    error: null,
    metadata: { r: 1 },
    mode: "test",
    createdAt: NOW,
  });
  state.cancels.set("cancel-1", {
    id: "cancel-1",
    seq: state.nextSeq(),
    storeId: "store-1",
    chargeId: "charge-3",
    status: "pending",
    error: null,
    metadata: {},
    mode: "test",
    createdAt: NOW,
  });
  state.webhooks.set("hook-1", {
    id: "hook-1",
    seq: state.nextSeq(),
    merchantId: "merchant-1",
    storeId: "store-1",
    triggers: ["charge_finished"],
    url: "http://127.0.0.1/h",
    authToken: "tok",
    active: true,
    createdAt: NOW,
    updatedAt: NOW,
  });
  state.customerIds.set("store-1|cust-1", "customer-uuid");
  const idempotency = new IdempotencyStore(() => NOW);
  return { state, idempotency };
}

async function storeResponse(idempotency: IdempotencyStore, key: string, body: unknown): Promise<void> {
  const begun = await idempotency.begin("store-1", key, "POST", "/charges");
  if (begun.kind !== "new") throw new Error("expected a new key");
  begun.complete({ status: 201, body });
}

/** Everything a state holds, comparable with toEqual (maps as entry lists, in order). */
function contents(state: SandboxState, idempotency: IdempotencyStore): Record<string, unknown> {
  return {
    merchants: [...state.merchants],
    stores: [...state.stores],
    appTokens: [...state.appTokens],
    tokens: [...state.tokens],
    charges: [...state.charges],
    paymentOfCharge: [...state.paymentOfCharge],
    refunds: [...state.refunds],
    cancels: [...state.cancels],
    webhooks: [...state.webhooks],
    subscriptions: [...state.subscriptions],
    customerIds: [...state.customerIds],
    purged: [...state.purgedTokenIds],
    seq: state.lastSeq(),
    byToken: [...state.tokens.keys(), "token-gone"].map((id) => state.chargesOfToken(id).map((c) => c.id)),
    idempotency: [...idempotency.records()],
  };
}

/** The state as the file must hold it: card numbers that are not test cards masked. */
function masked(state: SandboxState): void {
  for (const t of state.tokens.values()) state.tokens.set(t.id, { ...t, card: { ...t.card, number: persistableCardNumber(t.card.number) } });
  for (const c of [...state.charges.values()]) {
    state.charges.set(c.id, { ...c, payer: { ...c.payer, cardNumber: persistableCardNumber(c.payer.cardNumber) } });
  }
}

function load(file: string): { state: SandboxState; idempotency: IdempotencyStore } {
  const loaded = readStateFile(file);
  if (!loaded) throw new Error("no file");
  const state = new SandboxState();
  const idempotency = new IdempotencyStore(() => NOW);
  restoreState(loaded.records, loaded.lastSave.seq, state, idempotency);
  return { state, idempotency };
}

describe("state file round trip", () => {
  let dir: string;
  let file: string;
  let persister: StatePersister | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "sandbox-rt-"));
    file = join(dir, "state.json");
  });
  afterEach(async () => {
    await persister?.close();
    persister = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const begin = (s: { state: SandboxState; idempotency: IdempotencyStore }, policy = FAST): StatePersister => {
    persister = openStateFile(file).start({ ...s, identity, sandboxNow: () => NOW, logger: silent, policy });
    return persister;
  };

  it("snapshot → restore gives an equal state, with every kind of record", async () => {
    const original = everyKind();
    await storeResponse(original.idempotency, "order-1", { id: "charge-1", status: "pending" });
    await storeResponse(original.idempotency, "order-2", null);
    begin(original);
    await persister?.close();
    persister = undefined;

    expect(readStateFile(file)?.identity).toEqual(identity);
    const restored = load(file);
    masked(original.state);
    expect(contents(restored.state, restored.idempotency)).toEqual(contents(original.state, original.idempotency));
    expect(restored.state.tokens.get("token-2")?.card.number).toBe("555555******4444");
    expect(restored.state.tokens.get(T1)?.card.number).toBe("4242424242424242");
  });

  it("journal batches carry later changes, deletions and idempotency records", async () => {
    const live = everyKind();
    begin(live);
    const t1 = live.state.tokens.get(T1);
    const c1 = live.state.charges.get("charge-1");
    if (!t1 || !c1) throw new Error("fixture");
    c1.metadata = { order: "A-2" };
    live.state.changed(c1.id);
    t1.email = "new@example.com";
    live.state.touch(t1.id);
    live.state.tokens.delete("token-2");
    live.state.webhooks.delete("hook-1");
    charge(live.state, "charge-new", t1);
    await storeResponse(live.idempotency, "late", { id: "charge-new" });
    await persister?.saveNow();
    const after = readStateFile(file);
    expect(after?.snapshotBytes).toBeLessThan(after?.committedBytes ?? 0);

    const restored = load(file);
    masked(live.state);
    expect(contents(restored.state, restored.idempotency)).toEqual(contents(live.state, live.idempotency));
  });

  it("compaction rewrites the file as one snapshot of the same state", async () => {
    const live = everyKind();
    begin(live, { ...FAST, minCompactJournalBytes: 0 });
    const t1 = live.state.tokens.get(T1);
    if (!t1) throw new Error("fixture");
    for (let i = 0; i < 30; i++) charge(live.state, `extra-${i}`, t1);
    await persister?.saveNow(); // journal now bigger than the snapshot
    charge(live.state, "last", t1);
    await persister?.saveNow(); // → compaction
    const after = readStateFile(file);
    expect(after?.snapshotBytes).toBe(after?.committedBytes);
    expect(statSync(file).size).toBe(after?.committedBytes);
    const restored = load(file);
    masked(live.state);
    expect(contents(restored.state, restored.idempotency)).toEqual(contents(live.state, live.idempotency));
  });

  it("drops a batch a crash cut short, and cuts it off before appending", async () => {
    const live = everyKind();
    begin(live);
    await persister?.close();
    persister = undefined;
    const good = statSync(file).size;
    // A batch whose end line never made it, then a half-written line.
    appendFileSync(file, `${JSON.stringify({ t: "del", id: "charge-1" })}\n{"t":"charge","v":{"id":"x`);
    const loaded = readStateFile(file);
    expect([loaded?.tornLines, loaded?.committedBytes]).toEqual([2, good]);
    expect(load(file).state.charges.has("charge-1")).toBe(true);

    const again = load(file);
    persister = openStateFile(file).start({ ...again, identity, sandboxNow: () => NOW, logger: silent, policy: FAST });
    expect(statSync(file).size).toBe(good);
    again.state.charges.delete("charge-2");
    await persister.saveNow();
    expect(load(file).state.charges.has("charge-2")).toBe(false);
    expect(readFileSync(file, "utf8").endsWith("\n")).toBe(true);
  });
});
