/**
 * Checks merchant kickback URLs before we send a GET to them: http/https only, no userinfo, no
 * fragment, and (unless private networks are allowed) no loopback/private/link-local/CGNAT/…
 * address, both as an IP literal in the URL and as what a host name resolves to at send time.
 */
import { BlockList, isIP, type LookupFunction } from "node:net";
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { ipv6Bytes } from "./ipv6-bytes";

export type UrlCheck = { ok: true } | { ok: false; reason: string };

/** errno code of a connection the guarded lookup refused (a name resolving into a blocked range). */
export const BLOCKED_ADDRESS_CODE = "EBLOCKEDADDRESS";

const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8], // "this network" / unspecified
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // CGNAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local (cloud metadata lives here)
  ["172.16.0.0", 12],
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.168.0.0", 16],
  ["198.18.0.0", 15], // benchmarking
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved + broadcast
] as const) {
  BLOCKED.addSubnet(net, prefix, "ipv4");
}
for (const [net, prefix] of [
  ["::", 128], // unspecified
  ["::1", 128], // loopback
  ["fc00::", 7], // unique-local
  ["fe80::", 10], // link-local
  ["ff00::", 8], // multicast
] as const) {
  BLOCKED.addSubnet(net, prefix, "ipv6");
}

/** IPv6 ranges that are only ever a way around the IPv4 rules or lead nowhere public. */
for (const [net, prefix] of [
  ["64:ff9b:1::", 48], // local-use NAT64 (RFC 8215): translates to whatever the operator chose
  ["2001::", 32], // Teredo: the client's IPv4 is hidden (obfuscated) in the address
  ["100::", 64], // discard-only
] as const) {
  BLOCKED.addSubnet(net, prefix, "ipv6");
}

/** Where an IPv6 address carries an IPv4 address that a router will deliver to: the IPv4 rules
 *  apply to it. (::ffff:a.b.c.d is checked by BlockList itself.) */
const EMBEDS_IPV4: ReadonlyArray<{ prefix: readonly number[]; at: number }> = [
  { prefix: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], at: 12 }, // IPv4-compatible ::a.b.c.d (deprecated, still routed by some stacks)
  { prefix: [0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0], at: 12 }, // IPv4-translated ::ffff:0:a.b.c.d
  { prefix: [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0], at: 12 }, // NAT64 well-known prefix 64:ff9b::/96
  { prefix: [0x20, 0x02], at: 2 }, // 6to4 2002:a.b.c.d::/48
];

function embeddedIpv4(address: string): string | undefined {
  const bytes = ipv6Bytes(address);
  if (!bytes) return undefined;
  for (const { prefix, at } of EMBEDS_IPV4) {
    if (prefix.every((b, i) => bytes[i] === b)) return Array.from(bytes.subarray(at, at + 4)).join(".");
  }
  return undefined;
}

/** True when the address is an IP in a range a kickback must never reach, directly or through an
 *  IPv4 address embedded in an IPv6 one (NAT64, 6to4, IPv4-compatible). */
export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return BLOCKED.check(address, "ipv4");
  if (family !== 6) return false;
  if (BLOCKED.check(address, "ipv6")) return true;
  const v4 = embeddedIpv4(address);
  return v4 !== undefined && BLOCKED.check(v4, "ipv4");
}

export function checkKickbackUrl(url: string, opts: { allowPrivateNetworks: boolean }): UrlCheck {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { ok: false, reason: "not a valid URL" };
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") return { ok: false, reason: `scheme ${u.protocol} not allowed` };
  if (u.username !== "" || u.password !== "") return { ok: false, reason: "userinfo not allowed" };
  // URL drops an empty fragment ("…#"), so look at the raw text too.
  if (u.hash !== "" || url.includes("#")) return { ok: false, reason: "fragment not allowed" };
  if (u.hostname === "") return { ok: false, reason: "host missing" };
  if (opts.allowPrivateNetworks) return { ok: true };
  // WHATWG URL has already normalised 0x7f.1 / 2130706433 to 127.0.0.1 and compressed IPv6.
  const host = u.hostname
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "")
    .toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost")) return { ok: false, reason: "localhost not allowed" };
  if (isBlockedAddress(host)) return { ok: false, reason: `address ${host} is in a private or reserved range` };
  return { ok: true };
}

/** Resolves every address of a host name (the shape of dns.lookup with all: true). */
export type ResolveAll = (hostname: string, family: number | undefined, cb: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

const systemResolveAll: ResolveAll = (hostname, family, cb) =>
  dnsLookup(hostname, { all: true, ...(family ? { family } : {}) }, (err, addresses) => cb(err, addresses ?? []));

/**
 * A `lookup` for http.Agent that refuses host names resolving to a blocked address (any of
 * them: a mixed answer is a rebinding trick). IP literals never reach lookup, hence checkKickbackUrl.
 */
export function createGuardedLookup(resolveAll: ResolveAll = systemResolveAll): LookupFunction {
  return (hostname, options, callback) => {
    resolveAll(hostname, options.family === 4 || options.family === 6 ? options.family : undefined, (err, addresses) => {
      const blocked = addresses.find((a) => isBlockedAddress(a.address));
      const first = addresses[0];
      if (!err && blocked) {
        err = Object.assign(new Error(`${hostname} resolves to blocked address ${blocked.address}`), { code: BLOCKED_ADDRESS_CODE });
      } else if (!err && !first) {
        err = Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" });
      }
      if (err || !first) return callback(err, "", 0);
      if (options.all) return callback(null, addresses);
      return callback(null, first.address, first.family);
    });
  };
}
