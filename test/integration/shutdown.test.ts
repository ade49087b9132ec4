/**
 * Stopping (SIGTERM → close): the port stops taking connections at once, but a payment already in
 * flight gets its answer instead of a reset connection (its merchant would otherwise not know
 * whether the shopper was charged).
 */
import { startHarness } from "../support/gateway-harness";
import { field, replyFields, sendRaw } from "../support/raw-http";

jest.setTimeout(60_000);

it("lets a payment in flight finish and answer, while refusing new connections", async () => {
  const h = await startHarness({ db: "sqlite", env: { SHUTDOWN_GRACE_MS: "30000" } });
  let closed = false;
  try {
    h.sandbox.faults.set({ routes: [{ pathPattern: "/charges", method: "POST", latencyMs: 800 }] });
    const inFlight = sendRaw(h.gateway.url, "GET", Buffer.from(`/memberpay.aspx?sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=500&sod=STOP1`));
    await new Promise((r) => setTimeout(r, 200));
    const closing = h.gateway.close();
    await new Promise((r) => setTimeout(r, 50));
    const late = await sendRaw(h.gateway.url, "GET", Buffer.from("/healthz")).then(
      () => "answered",
      (e: NodeJS.ErrnoException) => e.code,
    );
    expect(late).toBe("ECONNREFUSED");
    const reply = replyFields((await inFlight).body);
    expect(field(reply, "rst")).toBe("1");
    await closing;
    closed = true;
  } finally {
    h.sandbox.faults.clear();
    if (!closed) await h.close();
    else await h.close().catch(() => undefined);
  }
});
