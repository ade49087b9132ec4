/**
 * The link form id of a store (`https://checkout.univapay.com/forms/<formId>`, §11.2.2): a name-based
 * UUID (RFC 9562 version 5) of the store id, so it needs no record of its own and stays the same
 * across restarts from a state file. The id is public, like the real one: the appId authenticates.
 */
import { createHash } from "node:crypto";
import type { StoreRecord } from "../state/models";

/** A fixed namespace for the sandbox's form ids (random once; never change it: ids would move). */
const NAMESPACE = Buffer.from("6f1d3c2a9b8e4f07a1c5d2e3f4a5b6c7", "hex");

export function linkFormIdOf(storeId: string): string {
  const hash = createHash("sha1").update(NAMESPACE).update(storeId, "utf8").digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The store whose link form this is, or undefined. Stores are few: a scan is cheap enough. */
export function storeOfLinkForm(stores: Iterable<StoreRecord>, formId: string): StoreRecord | undefined {
  const wanted = formId.toLowerCase();
  for (const store of stores) if (linkFormIdOf(store.id) === wanted) return store;
  return undefined;
}
