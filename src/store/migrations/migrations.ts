/** Every migration, in order. Append only; versions strictly increasing; never edit a merged one. */
import type { Migration } from "./migration";
import { migration0001Init } from "./migration-0001-init";
import { migration0002OpenRows } from "./migration-0002-open-rows";
import { migration0003WebhookDedupePerMerchant } from "./migration-0003-webhook-dedupe-per-merchant";
import { migration0004Transitions } from "./migration-0004-transitions";
import { migration0005WebhookClaims } from "./migration-0005-webhook-claims";
import { migration0006PartialRequestKey } from "./migration-0006-partial-request-key";
import { migration0007UnfinishedTransitions } from "./migration-0007-unfinished-transitions";
import { migration0008OrderGuard } from "./migration-0008-order-guard";
import { migration0009Subscriptions } from "./migration-0009-subscriptions";
import { migration0010MigrationLedger } from "./migration-0010-migration-ledger";
import { migration0011ImportedAutoBillings } from "./migration-0011-imported-auto-billings";
import { migration0012CreateBody } from "./migration-0012-create-body";

export const MIGRATIONS: readonly Migration[] = [
  migration0001Init,
  migration0002OpenRows,
  migration0003WebhookDedupePerMerchant,
  migration0004Transitions,
  migration0005WebhookClaims,
  migration0006PartialRequestKey,
  migration0007UnfinishedTransitions,
  migration0008OrderGuard,
  migration0009Subscriptions,
  migration0010MigrationLedger,
  migration0011ImportedAutoBillings,
  migration0012CreateBody,
];
