/**
 * HTTP-boundary checks of subscription bodies that the pure engine does not make: metadata must
 * be flat like everywhere else in the sandbox (I4), and the SDK's `/token` route body. The engine
 * validates every other field itself (src/sandbox/subscriptions/subscription-schema.ts).
 */
import { z } from "zod";
import { MetadataSchema } from "./common-schemas";

/** Only `metadata` is checked; the body itself goes to the engine unchanged. JSON null = not given. */
export const SubscriptionMetadataSchema = z.object({ metadata: MetadataSchema.nullable().optional() });

/** Body of the SDK's `PATCH …/subscriptions/{id}/token` (`Subscriptions.updateToken`). */
export const SubscriptionTokenChangeSchema = z.object({ transaction_token_id: z.string().min(1) });
