/**
 * Turns a rejection of the pure subscription engine into the sandbox's wire error. Field names
 * become leaf names (`schedule_settings.start_on` → `start_on`), the rule every other sandbox
 * endpoint follows after the doc's own example.
 */
import { ApiError, badRequest, notFound, validationError, type ApiErrorDetail } from "../errors";
import type { EngineRejection, FieldError } from "../subscriptions";

export function rejectionToApiError(r: EngineRejection): ApiError {
  const errors = (r.errors ?? []).map(toDetail);
  if (r.code === "NOT_FOUND") return notFound();
  if (r.code === "VALIDATION_ERROR") return validationError(errors);
  return badRequest(r.code, errors);
}

function toDetail(e: FieldError): ApiErrorDetail {
  return { field: e.field.split(".").pop() ?? e.field, reason: e.reason };
}
