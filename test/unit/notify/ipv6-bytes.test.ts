import { ipv6Bytes } from "../../../src/notify/ipv6-bytes";

const hex = (a: string) => Buffer.from(ipv6Bytes(a) ?? []).toString("hex");

describe("ipv6Bytes", () => {
  it("expands every textual form to the same 16 bytes", () => {
    const loop = "00000000000000000000000000000001";
    for (const a of ["::1", "0:0:0:0:0:0:0:1", "[::1]", "::0.0.0.1", "0::1"]) expect(hex(a)).toBe(loop);
    expect(hex("64:ff9b::127.0.0.1")).toBe("0064ff9b00000000000000007f000001");
    expect(hex("2002:c0a8:101::1")).toBe("2002c0a8010100000000000000000001");
    expect(hex("fe80::1%eth0")).toBe("fe800000000000000000000000000001");
  });

  it("returns undefined for what is not IPv6", () => {
    for (const a of ["127.0.0.1", "example.jp", "1::2::3", "12345::", ""]) expect(ipv6Bytes(a)).toBeUndefined();
  });
});
