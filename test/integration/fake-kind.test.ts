/**
 * Adding a transition kind is its module and its rows in the mapping table, nothing else: a kind
 * defined here ("probe": a 1-yen partial refund on payment.aspx job=REFUND of a captured pid),
 * with one row added to a copy of mappings/operations.yaml, runs through the request path, the
 * webhook processor, the reconciler and the kickback outbox without another file knowing it.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ecForPaymentError, refundOutcome } from "../../src/mapping";
import { DEFAULT_KINDS } from "../../src/transitions/default-kinds";
import { openOnPid } from "../../src/transitions/kinds/open-on-pid";
import { transitionResult } from "../../src/transitions/transition-result";
import type { TransitionKind } from "../../src/transitions/transition-kind";
import { deriveIdempotencyKey } from "../../src/univapay/idempotency-key";
import type { Refund } from "../../src/univapay/univapay-types";
import { startHarness, type Harness } from "../support/gateway-harness";
import { field, replyFields, sendRaw } from "../support/raw-http";

const probeKind: TransitionKind<undefined, Refund> = {
  name: "probe",
  actions: ["probe"],
  events: ["refund_finished"],
  checkRow: (row) => (row.requires.includes("pid") ? [] : ["a probe acts on a pid"]),
  open: (ctx, req) => openOnPid(ctx, req, "probe", (p) => (p.state === "captured" ? { resource: "refund", univapayId: null } : undefined)),
  async create(ctx, merchant, { payment, transition }) {
    const body = { amount: 1, currency: "JPY", reason: "customer_request" as const, metadata: { "legacy-pid": payment.pid } };
    const r = await ctx.client.createRefund(
      merchant.credentials,
      payment.chargeId as string,
      body,
      deriveIdempotencyKey(transition.requestKey as string, "probe"),
    );
    return { resource: "refund", univapayId: r.id };
  },
  fetch(ctx, merchant, { payment, transition }, waitUntil) {
    const [c, charge, id] = [merchant.credentials, payment.chargeId as string, transition.univapayId as string];
    if (waitUntil === undefined) return ctx.client.getRefund(c, charge, id);
    return ctx.client.waitForRefund(c, charge, id, waitUntil, (r) => r.status !== "pending");
  },
  judge(table, _s, r) {
    const outcome = refundOutcome(table, r.status);
    return { outcome, ec: outcome === "failure" ? ecForPaymentError(table, r.error?.code) : null, univapayStatus: r.status };
  },
  after: () => null, // the payment stays captured: a probe moves 1 yen, not the payment's state
  identify: (r) => ({ resource: "refund", univapayId: r.id }),
  reply: transitionResult,
};

describe("a transition kind added by a test", () => {
  let h: Harness;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "probe-mappings-"));
    cpSync(join(__dirname, "../../mappings"), dir, { recursive: true });
    const ops = join(dir, "operations.yaml");
    const row = [
      "  - id: payment.probe",
      "    endpoint: payment",
      "    job: REFUND",
      "    action: probe",
      "    requires: [pid]",
      "    svidOfPayment: true",
      "    note: a test kind",
      "",
    ];
    writeFileSync(ops, `${readFileSync(ops, "utf8").trimEnd()}\n${row.join("\n")}`);
    h = await startHarness({
      db: "sqlite",
      pollDeadlineMs: 0,
      acceptsPending: true,
      sandbox: { settleDelayMs: 50 },
      env: { MAPPINGS_DIR: dir },
      kinds: [...DEFAULT_KINDS, probeKind],
    });
  });
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => h.sandbox.faults.clear());

  const get = async (target: string) => replyFields((await sendRaw(h.gateway.url, "GET", Buffer.from(target))).body);
  const kickback = async (pid: string, job: string) =>
    replyFields((await h.receiver.waitFor((x) => field(replyFields(x.rawQuery), "pid") === pid && field(replyFields(x.rawQuery), "job") === job)).rawQuery);
  /** A captured payment, settled (deadline 0 answers rst=0; the reconciler or a webhook settles it). */
  async function captured(sod: string): Promise<string> {
    const r = await get(`/memberpay.aspx?sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=500&sod=${sod}`);
    const pid = field(r, "pid") as string;
    const creds = h.merchant.credentials;
    const id = (await h.gateway.deps.client.findChargesByMetadata(creds, "legacy-pid", pid))[0]?.id as string;
    await h.gateway.deps.client.waitForCharge(creds, id, Date.now() + 10_000, (c) => c.status !== "pending");
    await h.waitForWebhook(id, "charge_finished");
    await h.drain();
    expect((await h.gateway.store.findPaymentByPid(pid))?.state).toBe("captured");
    return pid;
  }
  const probeOf = async (pid: string) => (await h.gateway.store.listTransitions(pid)).find((t) => t.kind === "probe");

  it("is refused at start when its action has no kind", async () => {
    const { startGateway } = await import("../../src/gateway");
    const { loadConfig } = await import("../../src/config/config");
    const cfg = loadConfig({
      DEMO: "true",
      PORT: "0",
      ADMIN_PORT: "0",
      MAPPINGS_DIR: dir,
      DATABASE_URL: `sqlite:${join(dir, "x.sqlite")}`,
      LOG_LEVEL: "silent",
    });
    const err = await startGateway(cfg).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: "mapping_invalid" });
    expect(JSON.stringify((err as { opts: unknown }).opts)).toContain('no transition kind serves action \\"probe\\"');
  });

  it("settles through the webhook processor and sends one kickback with its job", async () => {
    const pid = await captured("PRB1");
    const r = await get(`/payment.aspx?sid=${h.sid}&job=refund&pid=${pid}&no=7`);
    expect([field(r, "rst"), field(r, "job"), field(r, "pid")]).toEqual(["0", "REFUND", pid]);
    const probe = await probeOf(pid);
    expect(probe).toMatchObject({ state: "pending", resource: "refund" });
    await h.waitForWebhook(probe?.univapayId as string, "refund_finished");
    await h.drain();
    expect(await probeOf(pid)).toMatchObject({ state: "succeeded" });
    const k = await kickback(pid, "REFUND");
    expect([field(k, "rst"), field(k, "ec"), field(k, "no")]).toEqual(["1", "ER000000000", "7"]);
    expect((await h.gateway.store.findPaymentByPid(pid))?.state).toBe("captured");
    // The same request again is answered from its transition, not sent again.
    const again = await get(`/payment.aspx?sid=${h.sid}&job=refund&pid=${pid}&no=7`);
    expect(field(again, "rst")).toBe("1");
    expect((await h.gateway.store.listTransitions(pid)).filter((t) => t.kind === "probe")).toHaveLength(1);
    expect((await h.gateway.store.listKickbacks(pid)).filter((x) => x.transition === probe?.id)).toHaveLength(1);
  });

  it("settles through the reconciler when its webhook never comes", async () => {
    const pid = await captured("PRB2");
    h.sandbox.faults.set({ webhooks: { withhold: true } });
    const r = await get(`/payment.aspx?sid=${h.sid}&job=REFUND&pid=${pid}`);
    expect(field(r, "rst")).toBe("0");
    const probe = await probeOf(pid);
    await h.gateway.deps.client.waitForRefund(
      h.merchant.credentials,
      (await h.gateway.store.findPaymentByPid(pid))?.chargeId as string,
      probe?.univapayId as string,
      Date.now() + 10_000,
      (x) => x.status !== "pending",
    );
    h.advance(10 * 60_000); // past RECONCILE_STALE_AFTER_MS
    await h.gateway.reconciler.tick();
    expect(await probeOf(pid)).toMatchObject({ state: "succeeded" });
    await h.drain();
    expect(field(await kickback(pid, "REFUND"), "rst")).toBe("1");
  });

  it("answers a payment its kind refuses with the table's operation_not_allowed", async () => {
    const r = await get(`/memberpay.aspx?sid=${h.sid}&job=AUTH&upcmemberid=demo-ok&siam1=300&sod=PRB3`);
    const pid = field(r, "pid") as string;
    const c = await get(`/payment.aspx?sid=${h.sid}&job=REFUND&pid=${pid}`);
    expect([field(c, "rst"), field(c, "pid")]).toEqual(["2", pid]);
    expect(await probeOf(pid)).toBeUndefined();
  });
});
