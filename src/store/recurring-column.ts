/** payments.recurring ↔ RecurringRef: a small JSON object, or NULL for one-time payments. */
import { z } from "zod";
import type { RecurringRef } from "./store-types";

const RecurringColumnSchema = z.object({ acid: z.string(), actp: z.string(), acdc: z.string().nullable() });

export function formatRecurring(r: RecurringRef | null | undefined): string | null {
  return r ? JSON.stringify({ acid: r.acid, actp: r.actp, acdc: r.acdc }) : null;
}

/** A value this version cannot read is a bug or a hand edit: loud, never silently one-time. */
export function parseRecurring(v: string | null): RecurringRef | null {
  if (v === null) return null;
  return RecurringColumnSchema.parse(JSON.parse(v));
}
