import { Writable } from "node:stream";
import { createLogger, maskPans, Secret } from "../../../src/logging/logger";

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { log: createLogger({ level: "info", destination }), lines };
}

describe("createLogger", () => {
  it("redacts secrets, card data and payment tokens by key, at any usual depth", () => {
    const { log, lines } = capture();
    log.info(
      {
        headers: { authorization: "Bearer s3cr3t.jwt" },
        body: { card_number: "4000020000000000", cvv: "987", transaction_token_id: "11ef-token" },
        secret: "s3cr3t",
        upcmemberid: "member-token",
        data: { data: { card_number: "4111111111111111" } },
      },
      "x",
    );
    const out = lines.join("");
    for (const leaked of ["s3cr3t", "4000020000000000", "987", "11ef-token", "member-token", "4111111111111111"]) {
      expect(out).not.toContain(leaked);
    }
    expect(out).toContain("[redacted]");
  });

  it("never serialises a Secret's value", () => {
    const { log, lines } = capture();
    log.info({ creds: { key: new Secret("abc123") } }, "x");
    expect(lines.join("")).not.toContain("abc123");
    expect(String(new Secret("abc123"))).toBe("[redacted]");
  });
});

describe("maskPans", () => {
  it("keeps the first 6 and last 4 digits of card-number-like runs only", () => {
    expect(maskPans("cardno=4000020000000000&x=1")).toBe("cardno=400002******0000&x=1");
    expect(maskPans("pid=12345678")).toBe("pid=12345678");
  });
});
