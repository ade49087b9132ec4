/**
 * Checks merchant kickback URLs before we send a GET to them: http/https only, no userinfo, no
 * fragment, and (unless private networks are allowed) no loopback/private/link-local/CGNAT/…
 * address, both as an IP literal in the URL and as what a host name resolves to at send time.
 */
import { BlockList, isIP, type LookupFunction } from "node:net";
import { lookup as dnsLookup, type LookupAddress } from "node:dns";

export type UrlCheck = { ok: true } | { ok: false; reason: string };

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

/** True when the address is an IP in a range a kickback must never reach. BlockList checks
 *  IPv4-mapped IPv6 (::ffff:127.0.0.1) against the IPv4 rules, so those need no rule of their own. */
export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return BLOCKED.check(address, "ipv4");
  if (family === 6) return BLOCKED.check(address, "ipv6");
  return false;
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
  const host = u.hostname.replace(/^\[|\]$/g, "").replace(/\.$/, "").toLowerCase();
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
        err = Object.assign(new Error(`${hostname} resolves to blocked address ${blocked.address}`), { code: "EBLOCKEDADDRESS" });
      } else if (!err && !first) {
        err = Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" });
      }
      if (err || !first) return callback(err, "", 0);
      if (options.all) return callback(null, addresses);
      return callback(null, first.address, first.family);
    });
  };
}
