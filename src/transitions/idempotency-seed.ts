/**
 * What a row's UnivaPay Idempotency-Keys are derived from. Its request key alone would collide
 * once the replay window lets the same request make a new payment: UnivaPay replays a key for
 * 24 h, and a repeat of a monthly charge must not be answered with last month's. So the key is
 * joined with the row's own id (pid or transition id), unique for ever. Rows written under the
 * raw-bytes schemes keep the key alone, as it was when they were written: a resend after an
 * upgrade must send the same Idempotency-Key as the request before it.
 */
import { isRawBytesKey } from "../payments/legacy-request-key";

export function idempotencySeed(requestKey: string | null, rowId: string): string {
  if (requestKey === null) return rowId;
  return isRawBytesKey(requestKey) ? requestKey : `${requestKey}\u0000${rowId}`;
}
