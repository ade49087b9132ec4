/**
 * zod at the API boundary: parses a body or query and turns every issue into one entry of a 400
 * VALIDATION_ERROR (all bad fields, not just the first). Reasons are the SDK's codes: REQUIRED_VALUE
 * for a missing field, a schema-chosen UPPER_SNAKE code where one is set, else INVALID_FORMAT.
 */
import type { z } from "zod";
import { type ApiErrorDetail, validationError } from "../errors";

const UPPER_SNAKE = /^[A-Z][A-Z0-9_]*$/;

export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input, { error: (iss) => (iss.input === undefined ? "REQUIRED_VALUE" : undefined) });
  if (r.success) return r.data;
  const errors: ApiErrorDetail[] = r.error.issues.map((i) => ({
    // The doc's example names the leaf field ("card_number" for data.card_number).
    field: fieldName(i.path),
    // A schema's own message would hide that the field is simply absent.
    reason: valueAt(input, i.path) === undefined && i.path.length > 0 ? "REQUIRED_VALUE" : UPPER_SNAKE.test(i.message) ? i.message : "INVALID_FORMAT",
  }));
  throw validationError(errors);
}

function fieldName(path: readonly PropertyKey[]): string {
  const named = path.filter((p): p is string => typeof p === "string");
  return named[named.length - 1] ?? "body";
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const p of path) {
    if (typeof v !== "object" || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}
