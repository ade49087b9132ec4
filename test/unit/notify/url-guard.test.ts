import type { LookupAddress } from "node:dns";
import { checkKickbackUrl, createGuardedLookup, isBlockedAddress, type ResolveAll } from "../../../src/notify/url-guard";

const strict = { allowPrivateNetworks: false };
const lax = { allowPrivateNetworks: true };

describe("checkKickbackUrl", () => {
  it.each(["http://shop.example.jp/kickback.php", "https://shop.example.jp:8443/kb?a=1", "http://203.0.113.7/kb", "http://[2001:db8::1]/kb"])(
    "accepts %s",
    (url) => {
      expect(checkKickbackUrl(url, strict)).toEqual({ ok: true });
    },
  );

  it.each([
    ["ftp://shop.example.jp/kb", "scheme"],
    ["javascript:alert(1)", "scheme"],
    ["http://user:pw@shop.example.jp/kb", "userinfo"],
    ["http://shop.example.jp/kb#x", "fragment"],
    ["http://shop.example.jp/kb#", "fragment"],
    ["not a url", "valid URL"],
  ])("rejects %s (%s) even when private networks are allowed", (url, reason) => {
    const r = checkKickbackUrl(url, lax);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain(reason);
  });

  it.each([
    "http://localhost/kb",
    "http://LOCALHOST./kb",
    "http://app.localhost/kb",
    "http://127.0.0.1:8080/kb",
    "http://2130706433/kb", // 127.0.0.1 as one integer
    "http://0x7f.1/kb",
    "http://0.0.0.0/kb",
    "http://10.1.2.3/kb",
    "http://172.16.0.1/kb",
    "http://172.31.255.255/kb",
    "http://192.168.1.1/kb",
    "http://169.254.169.254/latest/meta-data",
    "http://100.64.0.1/kb",
    "http://[::1]/kb",
    "http://[::]/kb",
    "http://[fe80::1]/kb",
    "http://[fd00::1]/kb",
    "http://[::ffff:127.0.0.1]/kb",
    "http://[::127.0.0.1]/kb", // IPv4-compatible
    "http://[::10.0.0.1]/kb",
    "http://[64:ff9b::127.0.0.1]/kb", // NAT64 well-known prefix
    "http://[64:ff9b::a9fe:a9fe]/kb", // NAT64 of 169.254.169.254
    "http://[64:ff9b:1::1]/kb", // local-use NAT64
    "http://[2002:7f00:1::]/kb", // 6to4 of 127.0.0.1
    "http://[2002:c0a8:101::1]/kb", // 6to4 of 192.168.1.1
    "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/kb", // Teredo
    "http://[::ffff:0:7f00:1]/kb", // IPv4-translated
  ])("rejects the private or reserved target %s unless allowed", (url) => {
    expect(checkKickbackUrl(url, strict).ok).toBe(false);
    expect(checkKickbackUrl(url, lax)).toEqual({ ok: true });
  });

  it("does not mistake public neighbours of private ranges, nor public IPv4 behind NAT64 or 6to4", () => {
    for (const a of [
      "172.15.255.255",
      "172.32.0.1",
      "100.63.255.255",
      "100.128.0.1",
      "11.0.0.1",
      "2001:db8::1",
      "64:ff9b::cb00:7107",
      "2002:cb00:7107::1",
      "2400:cb00::1",
    ]) {
      expect(isBlockedAddress(a)).toBe(false);
    }
  });
});

describe("createGuardedLookup", () => {
  const fakeDns =
    (answers: Record<string, LookupAddress[]>): ResolveAll =>
    (hostname, _family, cb) =>
      cb(null, answers[hostname] ?? []);
  const run = (lookup: ReturnType<typeof createGuardedLookup>, host: string, all: boolean) =>
    new Promise<{ err: NodeJS.ErrnoException | null; address: unknown }>((resolve) => lookup(host, { all }, (err, address) => resolve({ err, address })));
  const dns = fakeDns({
    "shop.test": [{ address: "203.0.113.7", family: 4 }],
    "rebind.test": [
      { address: "203.0.113.7", family: 4 },
      { address: "10.0.0.5", family: 4 },
    ],
    "inside.test": [{ address: "127.0.0.1", family: 4 }],
  });

  it("passes public answers through in both callback shapes", async () => {
    const lookup = createGuardedLookup(dns);
    expect(await run(lookup, "shop.test", false)).toEqual({ err: null, address: "203.0.113.7" });
    expect(await run(lookup, "shop.test", true)).toEqual({ err: null, address: [{ address: "203.0.113.7", family: 4 }] });
  });

  it("refuses a name resolving to a private address, even among public ones", async () => {
    const lookup = createGuardedLookup(dns);
    for (const host of ["inside.test", "rebind.test"]) {
      const r = await run(lookup, host, false);
      expect(r.err?.code).toBe("EBLOCKEDADDRESS");
    }
    expect((await run(lookup, "nowhere.test", false)).err?.code).toBe("ENOTFOUND");
  });
});
