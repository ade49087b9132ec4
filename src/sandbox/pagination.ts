/**
 * List pagination of §1.3: newest first by default, `limit` 10–100 (default 10), `cursor` = id of
 * the last item seen (exclusive), `cursor_direction` asc|desc, `has_more`, and `total_hits` only
 * when no cursor was given (as the SDK describes). Pure.
 */
import { z } from "zod";

export const PageQuerySchema = z.object({
  limit: z.coerce.number().int().min(10).max(100).default(10),
  cursor: z.string().min(1).optional(),
  cursor_direction: z.enum(["asc", "desc"]).default("desc"),
});
export type PageQuery = z.infer<typeof PageQuerySchema>;

export interface Page<T> {
  readonly items: T[];
  readonly has_more: boolean;
  readonly total_hits?: number;
}

/**
 * `items` must be in creation order (oldest first). desc walks towards older items, asc towards
 * newer ones; with a cursor the walk starts just past it. An unknown cursor gives an empty page.
 */
export function paginate<T extends { readonly id: string }>(items: readonly T[], q: PageQuery, withTotal = true): Page<T> {
  const ordered = q.cursor_direction === "desc" ? [...items].reverse() : [...items];
  let start = 0;
  if (q.cursor !== undefined) {
    const at = ordered.findIndex((i) => i.id === q.cursor);
    start = at < 0 ? ordered.length : at + 1;
  }
  const slice = ordered.slice(start, start + q.limit);
  const page: Page<T> = { items: slice, has_more: start + q.limit < ordered.length };
  return withTotal && q.cursor === undefined ? { ...page, total_hits: items.length } : page;
}
