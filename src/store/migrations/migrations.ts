/** Every migration, in order. Append only; versions strictly increasing; never edit a merged one. */
import type { Migration } from "./migration";
import { migration0001Init } from "./migration-0001-init";
import { migration0002OpenRows } from "./migration-0002-open-rows";
import { migration0003WebhookDedupePerMerchant } from "./migration-0003-webhook-dedupe-per-merchant";

export const MIGRATIONS: readonly Migration[] = [migration0001Init, migration0002OpenRows, migration0003WebhookDedupePerMerchant];
