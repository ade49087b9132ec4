/**
 * The `npm start` demo path (embedded sandbox, demo merchant 100001) and the operations surface:
 * health, readiness, metrics, and logs that never carry card data or secrets.
 */
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import axios from "axios";
import { loadConfig } from "../../src/config/config";
import { startGateway, type Gateway } from "../../src/gateway";
import { createLogger } from "../../src/logging/logger";
import { field, replyFields, sendRaw } from "../support/raw-http";

describe("demo gateway with the embedded sandbox", () => {
  let gw: Gateway;
  const lines: string[] = [];
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(...chunk.toString().split("\n").filter(Boolean));
        cb();
      },
    });
    const config = loadConfig({
      PORT: "0",
      HOST: "127.0.0.1",
      ADMIN_PORT: "0",
      SANDBOX_STATE_FILE: "",
      DATABASE_URL: `sqlite:${join(tmpdir(), `gw-demo-${randomBytes(6).toString("hex")}.sqlite`)}`,
      KICKBACK_POLL_MS: "20",
    });
    gw = await startGateway(config, { logger: createLogger({ level: "debug", destination: sink }) });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it("says loudly in the log that this is the demo", () => {
    expect(gw.sandbox).toBeDefined();
    const warn = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => String(l.msg).startsWith("DEMO MODE"));
    expect(warn).toMatchObject({ level: "warn", merchant: "100001" });
  });

  it("answers the README demo request with rst=1 and an 8-digit pid, and delivers the kickback", async () => {
    const res = await sendRaw(gw.url, "GET", Buffer.from("/memberpay.aspx?sid=100001&upcmemberid=demo-ok&job=CAPTURE&siam1=1000&sod=A1"));
    const r = replyFields(res.body);
    expect(res.status).toBe(200);
    expect(field(r, "rst")).toBe("1");
    const pid = field(r, "pid")!;
    expect(pid).toMatch(/^\d{8}$/);
    // The demo receiver is the built-in merchant endpoint; the dispatcher runs in the background.
    const deadline = Date.now() + 10_000;
    while (!gw.demo!.received.some((k) => k.fields.pid === pid) && Date.now() < deadline) {
      await new Promise((r2) => setTimeout(r2, 20));
    }
    const k = gw.demo!.received.find((x) => x.fields.pid === pid);
    expect(k?.fields).toMatchObject({ pid, rst: "1", job: "CAPTURE", sod: "A1", ta: "1000", ap: "TestMode", ec: "ER000000000" });
    const list = await axios.get(`${gw.adminUrl}/demo/kickbacks`);
    expect(list.data.received.length).toBeGreaterThan(0);
  });

  it("declines with demo-decline", async () => {
    const res = await sendRaw(gw.url, "GET", Buffer.from("/memberpay.aspx?sid=100001&upcmemberid=demo-decline&job=CAPTURE&siam1=1000&sod=A2"));
    expect(field(replyFields(res.body), "rst")).toBe("2");
  });

  it("never logs card numbers, CVVs or secrets", async () => {
    await sendRaw(
      gw.url,
      "GET",
      Buffer.from(
        "/payment.aspx?sid=100001&svid=1&ptype=1&job=CAPTURE&siam1=500&sod=PCI1&em=a@b.jp&cardno=4000020000000000&expire=1230&securitycode=987&holderfirstname=TARO&holderlastname=YAMADA",
      ),
    );
    const all = lines.join("\n");
    expect(all).not.toContain("4000020000000000");
    expect(all).not.toContain("securitycode=987");
    expect(all).not.toMatch(/"cvv":"987"/);
    expect(all).not.toContain(gw.sandbox!.demo.secret);
  });

  it("logs one WARN line with the reason for a refused request, and no stack", async () => {
    const res = await sendRaw(gw.url, "GET", Buffer.from("/memberpay.aspx?sid=100001&upcmemberid=demo-ok&job=FROB&siam1=1000"), {
      headers: { "x-request-id": "bad-job-1" },
    });
    expect(field(replyFields(res.body), "rst")).toBe("2");
    const mine = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.requestId === "bad-job-1");
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ level: "warn", msg: "legacy request refused", ec: "ER000GRQ011" });
    expect(JSON.stringify(mine[0])).toContain("job_unknown");
    expect(JSON.stringify(mine[0])).not.toMatch(/\bat \S+\.(js|ts):\d+/);
  });

  it("serves /healthz and /readyz to anyone, /metrics and details on the operator port only", async () => {
    expect((await axios.get(`${gw.url}/healthz`)).data).toEqual({ status: "ok" });
    const ready = await axios.get(`${gw.url}/readyz`);
    expect(ready.data).toEqual({ status: "ready", checks: { database: "ok", univapay: "ok", merchants: "ok" } });
    expect((await axios.get(`${gw.url}/metrics`, { validateStatus: () => true })).status).toBe(404);
    expect((await axios.get(`${gw.url}/demo/kickbacks`, { validateStatus: () => true })).status).toBe(404);
    const detailed = await axios.get(`${gw.adminUrl}/readyz`);
    expect(detailed.data.checks.merchants).toEqual({ verified: 1, notServed: [] });
    const metrics = await axios.get(`${gw.adminUrl}/metrics`);
    expect(metrics.data).toContain('gateway_legacy_requests_total{endpoint="memberpay",rst="1"}');
    expect(metrics.data).toContain("gateway_kickback_attempts_total");
    expect(metrics.data).toContain('gateway_queue_depth{queue="kickbacks_pending"}');
  });

  it("answers JSON 404 on unknown routes, never a stack trace", async () => {
    const res = await axios.get(`${gw.url}/nope`, { validateStatus: () => true });
    expect(res.status).toBe(404);
    expect(res.data.error.code).toBe("not_found");
  });
});

describe("the demo across time and restarts", () => {
  it("keeps working after the member tokens' CVV window, and after a restart on the same data directory", async () => {
    const dir = join(tmpdir(), `gw-demo-restart-${randomBytes(6).toString("hex")}`);
    const env = {
      PORT: "0",
      HOST: "127.0.0.1",
      ADMIN_PORT: "0",
      DATABASE_URL: `sqlite:${join(dir, "g.sqlite")}`,
      SANDBOX_STATE_FILE: join(dir, "sandbox.jsonl"),
    };
    const silent = createLogger({ level: "silent" });
    const first = "/memberpay.aspx?sid=100001&upcmemberid=demo-ok&job=CAPTURE&siam1=1000&sod=R1";
    let gw = await startGateway(loadConfig(env), { logger: silent, background: false });
    let pid: string;
    try {
      pid = field(replyFields((await sendRaw(gw.url, "GET", Buffer.from(first))).body), "pid")!;
      // Ten minutes later (UnivaPay forgets a recurring token's CVV after five): still chargeable.
      await gw.sandbox!.clock.advance(10 * 60_000);
      const later = replyFields(
        (await sendRaw(gw.url, "GET", Buffer.from("/memberpay.aspx?sid=100001&upcmemberid=demo-ok&job=CAPTURE&siam1=1000&sod=R2"))).body,
      );
      expect(field(later, "rst")).toBe("1");
      const decline = replyFields(
        (await sendRaw(gw.url, "GET", Buffer.from("/memberpay.aspx?sid=100001&upcmemberid=demo-decline&job=CAPTURE&siam1=1000&sod=R3"))).body,
      );
      expect(field(decline, "ec")).toBe("ER000T52G92");
    } finally {
      await gw.close();
    }
    gw = await startGateway(loadConfig(env), { logger: silent, background: false });
    try {
      // The same request again finds its first answer (the demo's request-key secret was kept)…
      expect(field(replyFields((await sendRaw(gw.url, "GET", Buffer.from(first))).body), "pid")).toBe(pid);
      // …and the sandbox still knows the charge, so it can be refunded.
      const cancel = replyFields((await sendRaw(gw.url, "GET", Buffer.from(`/payment.aspx?sid=100001&job=CANCEL&pid=${pid}`))).body);
      expect([field(cancel, "rst"), field(cancel, "job")]).toEqual(["1", "CANCEL"]);
    } finally {
      await gw.close();
    }
  });
});
