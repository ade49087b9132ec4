/**
 * A migration check's GET of one UnivaPay resource: a 404 (or a resource of another store) is the
 * row's answer, `not_found`; a refused app token (401, 403) is `unavailable` (the row is tried
 * again on a rerun); any other refusal is `rejected`; an unreachable UnivaPay is thrown,
 * for the runner to retry the row. Never a row failed because the network was.
 */
import { AppError } from "../../errors/app-error";
import { rowFailed, type RowOutcome } from "../row-outcome";

export type Lookup<T> = { readonly found: true; readonly value: T } | { readonly found: false; readonly outcome: RowOutcome };

export async function lookUp<T extends { store_id: string }>(what: string, storeId: string, get: () => Promise<T>): Promise<Lookup<T>> {
  try {
    const value = await get();
    if (value.store_id !== storeId) return { found: false, outcome: rowFailed("not_found", `${what} belongs to another store`) };
    return { found: true, value };
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== "univapay_rejected") throw err;
    const status = err.opts.upstream?.httpStatus;
    if (status === 404) return { found: false, outcome: rowFailed("not_found", `${what} does not exist in this merchant's store`) };
    // The merchant's credentials, not the row: an `error` row, tried again once they are fixed.
    if (status === 401 || status === 403)
      return { found: false, outcome: rowFailed("unavailable", `UnivaPay refused the merchant's app token (${status}) for ${what}`) };
    return { found: false, outcome: rowFailed("rejected", `UnivaPay refused the check of ${what}: ${err.opts.upstream?.code ?? status ?? "?"}`) };
  }
}
