/**
 * Turns the live sandbox state into state-file lines (see state-line-schema.ts): one line per
 * changed key for a journal batch, or every record for a snapshot. Card numbers pass through
 * persistableCardNumber on the way out; CVVs are never part of a record. Pure serialisation: it
 * never writes, and it never changes the state it reads.
 */
import type { IdempotencyStore } from "../idempotency";
import type { ChargeRecord, TokenRecord } from "../state/models";
import type { SandboxState } from "../state/sandbox-state";
import { persistableCardNumber } from "./card-surrogate";
import { STATE_FILE_FORMAT, STATE_FILE_VERSION, type EndLine, type HeaderLine, type RecordLine } from "./state-line-schema";

/** What identifies this sandbox across restarts (the header line). */
export interface StateIdentity {
  readonly jwtKey: Buffer;
  readonly platformId: string;
  readonly demo: { readonly storeId: string; readonly jti: string };
}

export function headerLine(id: StateIdentity, now: Date): string {
  const h: HeaderLine = {
    t: "header",
    format: STATE_FILE_FORMAT,
    version: STATE_FILE_VERSION,
    snapshotAt: now.toISOString(),
    jwtKey: id.jwtKey.toString("base64url"),
    platformId: id.platformId,
    demo: id.demo,
  };
  return JSON.stringify(h);
}

export function endLine(state: SandboxState, sandboxNow: number): string {
  const e: EndLine = { t: "end", seq: state.lastSeq(), at: sandboxNow, real: Date.now() };
  return JSON.stringify(e);
}

function line(l: RecordLine): string {
  return JSON.stringify(l);
}

function tokenLine(t: TokenRecord): string {
  return line({ t: "token", v: { ...t, card: { ...t.card, number: persistableCardNumber(t.card.number) } } });
}

function chargeLine(c: ChargeRecord, paymentId: string | undefined): string {
  const v = { ...c, payer: { ...c.payer, cardNumber: persistableCardNumber(c.payer.cardNumber) } };
  return line(paymentId === undefined ? { t: "charge", v } : { t: "charge", v, paymentId });
}

/**
 * The line for one key the state reported changed (a record id, a jti, a customer-id key): the
 * record as it is now, or a purged/del line when it is gone. Charges come first: they are most
 * of the traffic.
 */
export function lineForChangedKey(state: SandboxState, key: string): string {
  const charge = state.charges.get(key);
  if (charge) return chargeLine(charge, state.paymentOfCharge.get(key));
  const token = state.tokens.get(key);
  if (token) return tokenLine(token);
  const refund = state.refunds.get(key);
  if (refund) return line({ t: "refund", v: refund });
  const cancel = state.cancels.get(key);
  if (cancel) return line({ t: "cancel", v: cancel });
  const sub = state.subscriptions.get(key);
  if (sub) return line({ t: "subscription", v: sub });
  const hook = state.webhooks.get(key);
  if (hook) return line({ t: "webhook", v: hook });
  const customer = state.customerIds.get(key);
  if (customer !== undefined) return line({ t: "customer", k: key, v: customer });
  const store = state.stores.get(key);
  if (store) return line({ t: "store", v: store });
  const merchant = state.merchants.get(key);
  if (merchant) return line({ t: "merchant", v: merchant });
  const app = state.appTokens.get(key);
  if (app) return line({ t: "app_token", v: app });
  if (state.purgedTokenIds.has(key)) return line({ t: "purged", id: key });
  return line({ t: "del", id: key });
}

/** The line of a stored idempotent response, or null once it expired (nothing to keep). */
export function idempotencyLine(store: IdempotencyStore, id: string): string | null {
  const r = store.record(id);
  return r ? line({ t: "idem", v: r }) : null;
}

/**
 * Every record, one line each, parents before children. Lazy and live: a record created while a
 * caller awaits between lines is still visited (Map iteration sees later insertions).
 */
export function* snapshotLines(state: SandboxState, idempotency: IdempotencyStore): Generator<string> {
  for (const v of state.merchants.values()) yield line({ t: "merchant", v });
  for (const v of state.stores.values()) yield line({ t: "store", v });
  for (const v of state.appTokens.values()) yield line({ t: "app_token", v });
  for (const [k, v] of state.customerIds) yield line({ t: "customer", k, v });
  for (const v of state.webhooks.values()) yield line({ t: "webhook", v });
  for (const t of state.tokens.values()) yield tokenLine(t);
  for (const id of state.purgedTokenIds) yield line({ t: "purged", id });
  for (const c of state.charges.values()) yield chargeLine(c, state.paymentOfCharge.get(c.id));
  for (const v of state.refunds.values()) yield line({ t: "refund", v });
  for (const v of state.cancels.values()) yield line({ t: "cancel", v });
  for (const v of state.subscriptions.values()) yield line({ t: "subscription", v });
  for (const [, v] of idempotency.records()) yield line({ t: "idem", v });
}
