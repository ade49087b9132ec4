/**
 * Request-value schemas shared by several endpoints: flat metadata, booleans that the doc's own
 * examples send as strings ("true"), currencies, positive integer amounts.
 */
import { z } from "zod";

/**
 * Flat metadata. univapay-node types every `metadata` parameter as "Metadata or stringified JSON
 * object", so a string holding a JSON object is accepted and stored as that object.
 */
export const MetadataSchema = z.preprocess(
  parseJsonObjectText,
  z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()], { error: "NESTED_JSON_NOT_ALLOWED" })),
);

function parseJsonObjectText(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? parsed : value;
  } catch {
    return value;
  }
}

/** The doc sends `{"active": "false"}` and `"enabled": "true"`, so both forms are accepted. */
export const BoolishSchema = z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")], {
  error: "INVALID_FORMAT",
});

export const CurrencySchema = z
  .string()
  .regex(/^[A-Za-z]{3}$/, "INVALID_FORMAT_CURRENCY")
  .transform((c) => c.toUpperCase());

export const AmountSchema = z.number({ error: "INVALID_AMOUNT" }).int("INVALID_AMOUNT").positive("INVALID_AMOUNT");

export const IsoInstantSchema = z.iso.datetime({ offset: true, error: "INVALID_FORMAT_DATE" });

export const MetadataPatchSchema = z.object({ metadata: MetadataSchema.optional() });
