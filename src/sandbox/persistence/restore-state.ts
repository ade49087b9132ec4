/**
 * Copies loaded records into a fresh SandboxState and IdempotencyStore, before change tracking
 * starts (so a load writes nothing back). Records go in creation (seq) order, which list endpoints
 * rely on, and charges go through addCharge so the per-token index is rebuilt. It re-arms no
 * timers: the processing services' resumeAfterLoad() do that once the engine exists.
 */
import type { IdempotencyStore } from "../idempotency";
import type { SandboxState } from "../state/sandbox-state";
import type { LoadedRecords } from "./loaded-records";

export function restoreState(r: LoadedRecords, lastSeq: number, state: SandboxState, idempotency: IdempotencyStore): void {
  for (const [k, v] of r.merchants) state.merchants.set(k, v);
  for (const v of bySeq(r.stores)) state.stores.set(v.id, v);
  for (const [k, v] of r.appTokens) state.appTokens.set(k, v);
  for (const [k, v] of r.customerIds) state.customerIds.set(k, v);
  for (const v of bySeq(r.webhooks)) state.webhooks.set(v.id, v);
  for (const v of bySeq(r.tokens)) state.tokens.set(v.id, v);
  for (const id of r.purgedTokenIds) state.purgedTokenIds.add(id);
  for (const v of bySeq(r.charges)) state.addCharge(v);
  for (const [k, v] of r.paymentOfCharge) state.paymentOfCharge.set(k, v);
  for (const v of bySeq(r.refunds)) state.refunds.set(v.id, v);
  for (const v of bySeq(r.cancels)) state.cancels.set(v.id, v);
  for (const [k, v] of r.subscriptions) state.subscriptions.set(k, v);
  let seq = lastSeq;
  for (const m of [r.stores, r.webhooks, r.tokens, r.charges, r.refunds, r.cancels]) for (const v of m.values()) seq = Math.max(seq, v.seq);
  state.restoreSeq(seq);
  idempotency.restore(r.idempotency.values());
}

/** Values in seq order. Batches already write them that way; sorting only if not keeps it cheap. */
function bySeq<T extends { readonly seq: number }>(m: ReadonlyMap<string, T>): T[] {
  const list = [...m.values()];
  for (let i = 1; i < list.length; i++) {
    if ((list[i - 1]?.seq ?? 0) > (list[i]?.seq ?? 0)) return list.sort((a, b) => a.seq - b.seq);
  }
  return list;
}
