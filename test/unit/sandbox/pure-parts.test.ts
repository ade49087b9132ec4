import { globToRegExp, FaultInjector } from "../../../src/sandbox/faults";
import { IdempotencyStore } from "../../../src/sandbox/idempotency";
import { paginate, PageQuerySchema } from "../../../src/sandbox/pagination";
import { detectBrand, isLuhnValid } from "../../../src/sandbox/test-cards";

describe("pagination", () => {
  const items = Array.from({ length: 25 }, (_, i) => ({ id: `i${i}` }));
  const q = (o: Record<string, unknown>) => PageQuerySchema.parse(o);

  it("pages newest first with total_hits only without a cursor", () => {
    const p1 = paginate(items, q({}));
    expect(p1.items.map((i) => i.id).slice(0, 2)).toEqual(["i24", "i23"]);
    expect(p1).toMatchObject({ has_more: true, total_hits: 25 });
    const p3 = paginate(items, q({ cursor: "i5" }));
    expect(p3.items.map((i) => i.id)).toEqual(["i4", "i3", "i2", "i1", "i0"]);
    expect(p3.has_more).toBe(false);
    expect(p3.total_hits).toBeUndefined();
  });

  it("walks towards newer items with cursor_direction=asc", () => {
    expect(paginate(items, q({ cursor: "i20", cursor_direction: "asc" })).items.map((i) => i.id)).toEqual(["i21", "i22", "i23", "i24"]);
  });
});

describe("idempotency", () => {
  it("stores, replays, conflicts and expires after 24 h", async () => {
    let now = 0;
    const store = new IdempotencyStore(() => now);
    const first = await store.begin("s", "k", "POST", "/charges");
    if (first.kind !== "new") throw new Error("expected new");
    first.complete({ status: 201, body: { id: "c1" } });
    expect(await store.begin("s", "k", "POST", "/charges")).toEqual({ kind: "replay", response: { status: 201, body: { id: "c1" } } });
    expect((await store.begin("s", "k", "POST", "/tokens")).kind).toBe("conflict");
    expect((await store.begin("other-store", "k", "POST", "/tokens")).kind).toBe("new");
    now = 24 * 3600_000;
    expect((await store.begin("s", "k", "POST", "/tokens")).kind).toBe("new");
  });

  it("makes a concurrent repeat wait for the first and frees the key after an uncached 5xx", async () => {
    const store = new IdempotencyStore(() => 0);
    const first = await store.begin("s", "k", "POST", "/charges");
    if (first.kind !== "new") throw new Error("expected new");
    const second = store.begin("s", "k", "POST", "/charges");
    first.complete(null);
    expect((await second).kind).toBe("new");
  });
});

describe("faults", () => {
  it("matches globs per segment and deterministic rates", () => {
    expect(globToRegExp("/stores/*/charges").test("/stores/abc/charges")).toBe(true);
    expect(globToRegExp("/stores/*/charges").test("/stores/a/b/charges")).toBe(false);
    expect(globToRegExp("/stores/**").test("/stores/a/b/charges")).toBe(true);
    const f = new FaultInjector();
    f.set({ routes: [{ method: "post", pathPattern: "/charges", errorRate: 1, errorStatus: 503 }] });
    expect(f.decide("POST", "/charges")).toMatchObject({ errorStatus: 503, drop: false, when: "before" });
    expect(f.decide("GET", "/charges").errorStatus).toBeNull();
  });
});

describe("test-cards", () => {
  it("validates Luhn and detects brands", () => {
    expect(["4000020000000000", "4242424242424242", "4111111111111111", "4012888888881881"].every(isLuhnValid)).toBe(true);
    expect(isLuhnValid("4000020000000001")).toBe(false);
    expect(detectBrand("5555555555554444")).toBe("mastercard");
    expect(detectBrand("3530111333300000")).toBe("jcb");
  });
});
