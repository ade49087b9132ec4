/**
 * The operations the load loops send: a legacy memberpay CAPTURE through the gateway, the same
 * UnivaPay calls straight to the sandbox (POST /charges with an Idempotency-Key, then GET
 * ?polling=true until final, as the gateway does), and a UnivaPay webhook delivery.
 */
import { randomUUID } from "node:crypto";
import type { HttpClient } from "./http-client";
import type { BenchMerchant } from "./gateway-proc";
import type { Op } from "./load-loops";

/** The same merchant record the gateway child is configured with. */
export type OpMerchant = BenchMerchant;

// A CAPTURE charge (capture: true) ends in one of these; "authorized" would be an AUTH result.
const FINAL_CHARGE = new Set(["successful", "failed", "error", "canceled"]);
/** Bounded: with settleDelayMs 0 one held poll is enough; more means the sandbox misbehaves. */
const MAX_POLLS = 5;

const field = (body: string, name: string): string | undefined => new RegExp(`(?:^|&)${name}=([^&]*)`).exec(body)?.[1];
const pick = <T>(xs: readonly T[], seq: number): T => xs[seq % xs.length] as T;
const bearer = (m: OpMerchant): string => `Bearer ${m.secret}.${m.appToken}`;

/** memberpay.aspx job=CAPTURE; success only when the reply says rst=1. Unique sod per request,
 *  since the gateway (rightly) answers a repeated identical request from its first result. */
export function legacyCaptureOp(o: {
  client: HttpClient;
  merchants: readonly OpMerchant[];
  memberId: string;
  tag: string;
  onPid?: (pid: string, m: OpMerchant) => void;
}): Op {
  return async (seq) => {
    const m = pick(o.merchants, seq);
    const path = `/memberpay.aspx?sid=${m.sid}&svid=1&ptype=1&job=CAPTURE&rt=4&upcmemberid=${o.memberId}&siam1=1000&sod=${o.tag}${seq}`;
    const r = await o.client.request({ method: "GET", path });
    if (r.status !== 200) return { ok: false, error: `http ${r.status} ${r.error ?? ""}`.trim() };
    const rst = field(r.body, "rst");
    if (rst !== "1") return { ok: false, error: `rst=${rst ?? "?"} ec=${field(r.body, "ec") ?? "?"}` };
    const pid = field(r.body, "pid");
    if (pid && o.onPid) o.onPid(pid, m);
    return { ok: true };
  };
}

/** What the gateway sends for one CAPTURE, straight to the sandbox with the same body shape. */
export function directChargeOp(o: { client: HttpClient; merchants: readonly OpMerchant[]; tag: string }): Op {
  return async (seq) => {
    const m = pick(o.merchants, seq);
    const headers = { authorization: bearer(m), accept: "application/json" };
    const body = JSON.stringify({
      amount: 1000,
      currency: "JPY",
      transaction_token_id: m.tokenId,
      capture: true,
      metadata: { "univapay-reference-id": `${o.tag}${seq}`, "legacy-pid": String(10_000_000 + seq), "legacy-sid": m.sid },
    });
    const created = await o.client.request({
      method: "POST",
      path: "/charges",
      headers: { ...headers, "content-type": "application/json", "idempotency-key": randomUUID() },
      body,
    });
    if (created.status !== 201) return { ok: false, error: `create http ${created.status} ${created.error ?? ""}`.trim() };
    const id = (JSON.parse(created.body) as { id?: unknown }).id;
    if (typeof id !== "string") return { ok: false, error: "create: no id" };
    for (let i = 0; i < MAX_POLLS; i++) {
      const got = await o.client.request({ method: "GET", path: `/stores/${m.storeId}/charges/${id}?polling=true`, headers });
      if (got.status !== 200) return { ok: false, error: `get http ${got.status}` };
      const status = (JSON.parse(got.body) as { status?: unknown }).status;
      if (typeof status === "string" && FINAL_CHARGE.has(status)) return status === "successful" ? { ok: true } : { ok: false, error: `status ${status}` };
    }
    return { ok: false, error: "not final after polls" };
  };
}

/** A charge_finished delivery as the sandbox (UnivaPay) sends it, about a real charge, with a
 *  unique event id so each one is stored (not answered as a duplicate). */
export function webhookOp(o: { client: HttpClient; events: readonly { merchant: OpMerchant; charge: Record<string, unknown> }[] }): Op {
  return async (seq) => {
    const e = pick(o.events, seq);
    const now = new Date().toISOString();
    const body = JSON.stringify({
      id: randomUUID(),
      event: "charge_finished",
      data: e.charge,
      created_on: now,
      webhook_id: randomUUID(),
      successful: true,
      fired_on: now,
    });
    const r = await o.client.request({
      method: "POST",
      path: "/webhooks/univapay",
      headers: { authorization: e.merchant.webhookToken, "content-type": "application/json" },
      body,
    });
    if (r.status !== 200) return { ok: false, error: `http ${r.status} ${r.error ?? ""}`.trim() };
    return r.body.includes('"duplicate":false') ? { ok: true } : { ok: false, error: "answered as duplicate" };
  };
}
