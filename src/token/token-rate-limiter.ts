/**
 * Per-key token buckets for the token endpoints: a card-testing run goes through exactly such an
 * endpoint, one card per request. Per client address (IPv6 by /64, which one host usually holds
 * whole) and per merchant, each `perMinute` with a burst of the same size. In memory, per
 * process: several instances multiply the ceiling; the limit makes card testing slow and loud,
 * it does not count exactly. Memory is bounded by evicting the least recently seen key (O(1)).
 */
import { isIPv6 } from "node:net";

export interface RateLimiter {
  /** Takes one token for `key`; false when it has none left. */
  take(key: string): boolean;
}

const MAX_KEYS = 100_000;

/** The key of a client address: IPv4 as it is, IPv6 by its /64 (v4-mapped as IPv4). */
export function addressKey(ip: string): string {
  if (ip.startsWith("::ffff:")) return ip.slice(7);
  if (!isIPv6(ip)) return ip;
  const [head = "", tail = ""] = ip.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === "" ? [] : tail.split(":");
  const groups = ip.includes("::") ? [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right] : left;
  return `${groups.slice(0, 4).join(":")}::/64`;
}

export function createRateLimiter(perMinute: number, now: () => number = Date.now): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const rate = perMinute / 60_000;
  return {
    take(key) {
      const t = now();
      const b = buckets.get(key) ?? { tokens: perMinute, at: t };
      b.tokens = Math.min(perMinute, b.tokens + (t - b.at) * rate);
      b.at = t;
      // Re-inserted so the Map's order is least recently seen first.
      buckets.delete(key);
      if (buckets.size >= MAX_KEYS) buckets.delete(buckets.keys().next().value as string);
      buckets.set(key, b);
      if (b.tokens < 1) return false;
      b.tokens -= 1;
      return true;
    },
  };
}
