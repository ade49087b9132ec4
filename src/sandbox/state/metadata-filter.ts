/**
 * The `metadata` query filter of the token and charge lists (§2.1, §2.2 LIST: a string,
 * "メタデータでフィルタリング"). The doc gives no syntax; univapay-node types it as a string and its
 * own test sends `metadata=foo: bar`, so the sandbox reads `key:value` (split at the first colon,
 * both sides trimmed). A string holding a flat JSON object is accepted too (like metadata bodies)
 * and then every pair must match. Values compare with the stored value's JSON text: `n:5` matches
 * `{"n":5}` and `{"n":"5"}`. [INFERRED]
 */
import { z } from "zod";
import type { Metadata } from "./models";

export type MetadataFilter = ReadonlyArray<readonly [key: string, value: string]>;

export const MetadataFilterSchema = z.string().transform((text, ctx): MetadataFilter => {
  const pairs = parsePairs(text.trim());
  if (pairs === null) {
    ctx.addIssue({ code: "custom", message: "INVALID_FORMAT" });
    return z.NEVER;
  }
  return pairs;
});

function parsePairs(text: string): MetadataFilter | null {
  if (text.startsWith("{")) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return null;
      const pairs = Object.entries(parsed).map(([k, v]) => [k, valueText(v)] as const);
      return pairs.length > 0 && pairs.every(([, v]) => v !== null) ? (pairs as Array<readonly [string, string]>) : null;
    } catch {
      return null;
    }
  }
  const colon = text.indexOf(":");
  if (colon <= 0) return null;
  return [[text.slice(0, colon).trim(), text.slice(colon + 1).trim()]];
}

/** Text form of a flat metadata value; null for nested values, which metadata never holds. */
function valueText(v: unknown): string | null {
  if (typeof v === "string") return v;
  if (v === null || typeof v === "number" || typeof v === "boolean") return JSON.stringify(v);
  return null;
}

export function matchesMetadata(metadata: Metadata, filter: MetadataFilter | undefined): boolean {
  if (filter === undefined) return true;
  return filter.every(([key, value]) => Object.prototype.hasOwnProperty.call(metadata, key) && valueText(metadata[key]) === value);
}
