/**
 * Subscription-list query filters (§2.5 LIST: `status`, `search`, `mode`; the SDK adds
 * `statuses[]`). `search` matches a metadata value (the doc's wording) or the subscription id,
 * case-insensitively and as a substring [INFERRED: the doc does not say exact or partial].
 */
import { z } from "zod";
import type { SubscriptionState, SubscriptionStatus } from "../subscriptions";

export const SUBSCRIPTION_STATUSES = [
  "unverified",
  "authorized",
  "current",
  "unpaid",
  "suspended",
  "canceled",
  "unconfirmed",
  "completed",
] as const satisfies readonly SubscriptionStatus[];

const StatusSchema = z.enum(SUBSCRIPTION_STATUSES, { error: "INVALID_FORMAT" });
/** `statuses[]=a&statuses[]=b` (the SDK's bracket format) arrives as a string or an array. */
const StatusListSchema = z.preprocess((v) => (typeof v === "string" ? [v] : v), z.array(StatusSchema).optional());

export const SubscriptionFilterSchema = z.object({
  status: StatusSchema.optional(),
  statuses: StatusListSchema,
  "statuses[]": StatusListSchema,
  search: z.string().optional(),
  mode: z.enum(["test", "live"]).optional(),
});
export type SubscriptionFilter = z.infer<typeof SubscriptionFilterSchema>;

export function filterSubscriptions(items: readonly SubscriptionState[], f: SubscriptionFilter): SubscriptionState[] {
  const wanted = [...(f.status ? [f.status] : []), ...(f.statuses ?? []), ...(f["statuses[]"] ?? [])];
  const needle = f.search?.toLowerCase();
  return items.filter(
    (s) =>
      (wanted.length === 0 || wanted.includes(s.status)) && (f.mode === undefined || s.mode === f.mode) && (needle === undefined || matchesSearch(s, needle)),
  );
}

function matchesSearch(s: SubscriptionState, needle: string): boolean {
  if (s.id.toLowerCase() === needle) return true;
  return Object.values(s.metadata).some((v) => v !== null && typeof v !== "object" && String(v).toLowerCase().includes(needle));
}
