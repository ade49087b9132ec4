/**
 * Receiving a UnivaPay webhook: authenticate (the merchant's configured token arrives verbatim in
 * the Authorization header; "Bearer <token>" is accepted too), then store the raw body durably and
 * de-duplicated. No business logic here: the processor re-fetches the resource before acting.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import type { Merchant, MerchantRegistry } from "../config/merchants";
import type { Store } from "../store/store-types";

export const WebhookEnvelopeSchema = z.looseObject({
  id: z.string().optional(),
  event: z.string().min(1),
  data: z.looseObject({ id: z.string().min(1), status: z.string().optional(), store_id: z.string().optional() }),
});
export type WebhookEnvelope = z.infer<typeof WebhookEnvelopeSchema>;

function digest(s: string): Buffer {
  return createHash("sha256").update(s).digest();
}

/**
 * Builds the webhook authenticator once per merchant registry: a map from the SHA-256 of each
 * merchant's webhook token to the merchant. A request costs two hashes whatever the number of
 * merchants, and comparing digests leaks nothing useful about the tokens through timing.
 */
export function createWebhookAuthenticator(merchants: MerchantRegistry): (header: string | undefined) => Merchant | undefined {
  const byDigest = new Map<string, Merchant>();
  for (const m of merchants.all()) {
    const token = m.webhookToken.reveal();
    if (token && !byDigest.has(digest(token).toString("hex"))) byDigest.set(digest(token).toString("hex"), m);
  }
  return (header) => {
    if (!header) return undefined;
    const raw = header.trim();
    const bare = raw.replace(/^Bearer\s+/i, "").trim();
    return byDigest.get(digest(raw).toString("hex")) ?? (bare !== raw ? byDigest.get(digest(bare).toString("hex")) : undefined);
  };
}

/** The UnivaPay event id when given, else (event, resource id, status): a redelivery has the same key. */
export function dedupeKeyOf(env: WebhookEnvelope): string {
  return env.id ? `id:${env.id}` : `ev:${env.event}:${env.data.id}:${env.data.status ?? ""}`;
}

export type IngestResult = { stored: boolean; event: string; parsed: boolean };

/**
 * Stores an authenticated delivery. An unparseable body is kept too (state ignored by the
 * processor): it came from UnivaPay, and nothing received is thrown away.
 */
export async function ingestWebhook(store: Store, merchant: Merchant, rawBody: string, now: Date): Promise<IngestResult> {
  let env: WebhookEnvelope | undefined;
  try {
    const r = WebhookEnvelopeSchema.safeParse(JSON.parse(rawBody));
    if (r.success) env = r.data;
  } catch {
    env = undefined;
  }
  const dedupeKey = env ? dedupeKeyOf(env) : `raw:${digest(rawBody).toString("hex")}`;
  const event = env?.event ?? "unparseable";
  const stored = await store.insertWebhookEvent({ sid: merchant.sid, dedupeKey, event, resourceId: env?.data.id ?? null, body: rawBody }, now);
  return { stored, event, parsed: env !== undefined };
}
