import { repairRequestLine } from "../../../src/http/request-line-repair";

const req = (target: Buffer) =>
  Buffer.concat([Buffer.from("GET "), target, Buffer.from(" HTTP/1.1\r\nHost: x\r\n\r\n")]);

describe("repairRequestLine", () => {
  it("leaves a valid request line byte-identical", () => {
    const chunk = req(Buffer.from("/memberpay.aspx?sid=1&em=a@b.jp"));
    expect(repairRequestLine(chunk)).toBe(chunk);
  });

  it("percent-encodes raw Shift_JIS bytes and spaces in the target only", () => {
    const chunk = req(Buffer.concat([Buffer.from("/m?sinm1=A B&no="), Buffer.from([0x82, 0xa0])]));
    const out = repairRequestLine(chunk).toString("latin1");
    expect(out).toBe("GET /m?sinm1=A%20B&no=%82%A0 HTTP/1.1\r\nHost: x\r\n\r\n");
  });

  it("uses the last ' HTTP/' so a value containing ' HTTP/' stays inside the target", () => {
    const out = repairRequestLine(req(Buffer.from("/m?x=a HTTP/b"))).toString("latin1");
    expect(out.startsWith("GET /m?x=a%20HTTP/b HTTP/1.1\r\n")).toBe(true);
  });

  it("passes through a chunk without a complete request line", () => {
    const partial = Buffer.from("GET /m?x=a b");
    expect(repairRequestLine(partial)).toBe(partial);
  });
});
