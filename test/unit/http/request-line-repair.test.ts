/**
 * The request-line repairer in front of Node's HTTP parser: single-line repair, HTTP/1.1 framing
 * across keep-alive requests and arbitrary chunk splits, the pass-through bounds, properties
 * against an independently built expectation, and the repaired bytes through Node's real parser.
 */
import { createServer } from "node:http";
import { connect, type AddressInfo } from "node:net";
import fc from "fast-check";
import { createRequestStreamRepairer, repairRequestLine } from "../../../src/http/request-line-repair";

const LIMITS = { maxLineBytes: 8192, maxHeaderBytes: 16384 };
type Part = string | number[] | Uint8Array;
const bytes = (...parts: Part[]): Buffer => Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : Buffer.from(p))));
const latin1 = (b: Buffer): string => b.toString("latin1");

function repairer(limits = LIMITS) {
  return createRequestStreamRepairer(limits);
}
function run(chunks: Buffer[], limits = LIMITS): Buffer {
  const r = repairer(limits);
  return Buffer.concat([...chunks.map((c) => r.feed(c)), r.flush()]);
}
const splitAt = (buf: Buffer, cuts: number[]): Buffer[] => {
  const at = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  return [0, ...at].map((start, i) => buf.subarray(start, at[i] ?? buf.length));
};
const byteByByte = (buf: Buffer): Buffer[] => Array.from(buf, (_, i) => buf.subarray(i, i + 1));

/** The test's own encoder, deliberately the naive way: one string per byte. */
function encoded(target: Buffer): string {
  let s = "";
  for (const x of target) s += x <= 0x20 || x >= 0x7f ? `%${x.toString(16).toUpperCase().padStart(2, "0")}` : String.fromCharCode(x);
  return s;
}

const get = (target: Part, headers = "Host: x\r\n") => bytes("GET ", target, ` HTTP/1.1\r\n${headers}\r\n`);
// 山 田 in Shift_JIS with a raw space, then bytes no parser takes.
const SJIS_TARGET = bytes("/memberpay.aspx?sinm1=", [0x8e, 0x52, 0x20, 0x93, 0x63], "&no=", [0x82, 0xa0, 0x00, 0x7f, 0xff]);
const SJIS_FIXED = encoded(SJIS_TARGET);

describe("repairRequestLine", () => {
  it("returns the identical Buffer when the line is valid", () => {
    const chunk = get("/memberpay.aspx?sid=1&em=a@b.jp");
    expect(repairRequestLine(chunk)).toBe(chunk);
  });

  it("percent-encodes raw Shift_JIS bytes and spaces in the target only", () => {
    const chunk = get(bytes("/m?sinm1=A B&no=", [0x82, 0xa0]));
    expect(latin1(repairRequestLine(chunk))).toBe("GET /m?sinm1=A%20B&no=%82%A0 HTTP/1.1\r\nHost: x\r\n\r\n");
  });

  it("encodes control bytes, DEL, a tab and a bare CR in upper-case hex when the target has them", () => {
    const out = repairRequestLine(bytes("GET /a", [0x00, 0x1f, 0x7f, 0xff, 0x09, 0x0d], "b HTTP/1.1\r\n"));
    expect(latin1(out)).toBe("GET /a%00%1F%7F%FF%09%0Db HTTP/1.1\r\n");
  });

  it("uses the last ' HTTP/' so a value containing ' HTTP/' stays inside the target", () => {
    const out = latin1(repairRequestLine(get("/m?x=a HTTP/b")));
    expect(out.startsWith("GET /m?x=a%20HTTP/b HTTP/1.1\r\n")).toBe(true);
  });

  it("looks at the first line only when given headers with raw bytes after it", () => {
    const chunk = bytes("GET /ok HTTP/1.1\r\nX-Name: a b ", [0x82], " HTTP/1.1\r\n\r\n");
    expect(repairRequestLine(chunk)).toBe(chunk);
  });

  it("returns the line unchanged when it has no version, and repairs it when it has no CRLF", () => {
    const partial = bytes("GET /m?x=a b");
    expect(repairRequestLine(partial)).toBe(partial);
    expect(latin1(repairRequestLine(bytes("GET /a b HTTP/1.1")))).toBe("GET /a%20b HTTP/1.1");
    expect(latin1(repairRequestLine(bytes("GET /a b HTTP/1.1\n")))).toBe("GET /a%20b HTTP/1.1\n");
  });
});

describe("createRequestStreamRepairer framing", () => {
  it("returns the same Buffer when whole valid requests arrive in one chunk", () => {
    const r = repairer();
    const one = get("/a?b=c");
    const pipelined = bytes(get("/x"), "\r\n", bytes("POST /p HTTP/1.1\r\nContent-Length: 4\r\n\r\nab c"), get("/y"));
    expect(r.feed(one)).toBe(one);
    expect(r.feed(pipelined)).toBe(pipelined);
  });

  it("holds a request line fed byte by byte until its line end, then emits it repaired", () => {
    const r = repairer();
    const input = get(SJIS_TARGET);
    const lineEnd = input.indexOf("\n");
    const outs = byteByByte(input).map((c) => r.feed(c));
    expect(outs.slice(0, lineEnd).every((o) => o.length === 0)).toBe(true);
    expect(latin1(outs[lineEnd]!)).toBe(`GET ${SJIS_FIXED} HTTP/1.1\r\n`);
    expect(latin1(Buffer.concat(outs))).toBe(latin1(get(SJIS_FIXED)));
  });

  it("repairs the second request too when two raw-byte requests share a keep-alive stream", () => {
    const out = run([bytes(get("/first ok"), get(SJIS_TARGET))]);
    expect(latin1(out)).toBe(latin1(bytes(get("/first%20ok"), get(SJIS_FIXED))));
  });

  it("leaves a Content-Length body untouched and repairs the GET after it when the body has raw bytes", () => {
    const body = bytes("a b\r\nGET /x y HTTP/1.1\r\n", [0x82, 0xa0, 0x00]);
    const post = bytes(`POST /p HTTP/1.1\r\nHost: x\r\ncontent-LENGTH: ${body.length}\r\n\r\n`, body);
    expect(latin1(run([bytes(post, get(SJIS_TARGET))]))).toBe(latin1(bytes(post, get(SJIS_FIXED))));
  });

  it("leaves a chunked body with extensions and trailers untouched and repairs the GET after it", () => {
    const post = bytes(
      "POST /p HTTP/1.1\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n",
      '5;name=val;q="a b"\r\nab c\n\r\n',
      "A ;x\r\n",
      [0x82, 0xa0, 0x20, 0x0d, 0x0a, 0x30, 0x0d, 0x0a, 0x0d, 0x0a],
      "\r\n0;last\r\nX-Trailer: GET / b HTTP/1.1\r\n\r\n",
    );
    expect(latin1(run([bytes(post, get(SJIS_TARGET))]))).toBe(latin1(bytes(post, get(SJIS_FIXED))));
  });

  it("passes empty lines through when they come before or between requests", () => {
    const input = bytes("\r\n\n", get("/a b"), "\r\n\r\n", get("/c d"));
    expect(latin1(run([input]))).toBe(latin1(bytes("\r\n\n", get("/a%20b"), "\r\n\r\n", get("/c%20d"))));
  });

  it("repairs the line when it ends in a bare LF", () => {
    expect(latin1(run([bytes("GET /a b HTTP/1.1\nHost: x\n\n", get("/c d"))]))).toBe(latin1(bytes("GET /a%20b HTTP/1.1\nHost: x\n\n", get("/c%20d"))));
  });

  it("still frames the body when Content-Length is repeated with the same value", () => {
    const post = bytes("POST /p HTTP/1.1\r\nContent-Length: 3\r\nContent-Length:  3 \r\n\r\na b");
    expect(latin1(run([bytes(post, get("/c d"))]))).toBe(latin1(bytes(post, get("/c%20d"))));
  });

  it("gives the same bytes for every split point and byte by byte when requests are pipelined", () => {
    const input = bytes(
      "\r\nPOST /p q HTTP/1.1\r\nContent-Length: 7\r\n\r\nx\r\ny z\n",
      "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;e=1\r\na b\r\n0\r\nT: v\r\n\r\n",
      get(SJIS_TARGET),
      "GET /lf only HTTP/1.0\nA: b\n\n",
    );
    const whole = run([input]);
    expect(latin1(whole)).toContain(`GET ${SJIS_FIXED} HTTP/1.1`);
    expect(latin1(whole)).toContain("GET /lf%20only HTTP/1.0\n");
    for (let i = 0; i <= input.length; i++) expect(run(splitAt(input, [i]))).toEqual(whole);
    expect(run(byteByByte(input))).toEqual(whole);
  });

  it("returns a partial request line unmodified from flush when the stream ends inside it", () => {
    const r = repairer();
    expect(r.feed(bytes(get("/a"), "GET /b c"))).toEqual(get("/a"));
    expect(latin1(r.flush())).toBe("GET /b c");
  });
});

describe("createRequestStreamRepairer pass-through", () => {
  const small = { maxLineBytes: 64, maxHeaderBytes: 128 };

  it("passes everything on unheld with bounded memory when a request line never ends", () => {
    const r = repairer(small);
    const start = bytes("GET /", "a b".repeat(10));
    expect(r.feed(start).length).toBe(0);
    const filler = Buffer.alloc(1024, 0x82);
    const past = r.feed(filler);
    expect(past.length).toBe(start.length + filler.length);
    for (let i = 0; i < 1000; i++) expect(r.feed(filler)).toBe(filler);
    const later = get("/x y");
    expect(r.feed(later)).toBe(later);
    expect(r.flush().length).toBe(0);
  });

  it("passes everything on unheld when a request line longer than the bound arrives whole", () => {
    const input = bytes(get(`/${"a b".repeat(30)}`), get("/x y"));
    expect(run([input], small)).toEqual(input);
    expect(run(byteByByte(input), small)).toEqual(input);
  });

  it("passes everything on with bounded memory when a header block never ends", () => {
    const r = repairer(small);
    const head = bytes("GET /a HTTP/1.1\r\n");
    expect(r.feed(head)).toBe(head);
    let fed = 0;
    for (let i = 0; i < 2000; i++) {
      const line = bytes(`X-Pad-${i}: ${"v".repeat(40)}\r\n`);
      expect(r.feed(line)).toBe(line);
      fed += line.length;
    }
    expect(fed).toBeGreaterThan(small.maxHeaderBytes);
    const later = get("/x y");
    expect(r.feed(later)).toBe(later);
  });

  it.each([
    ["an Upgrade header", "GET /ws HTTP/1.1\r\nConnection: upgrade\r\nUPGRADE: websocket\r\n\r\n"],
    ["method CONNECT", "CONNECT h:443 HTTP/1.1\r\nHost: h\r\n\r\n"],
    ["a non-digit Content-Length", "POST /p HTTP/1.1\r\nContent-Length: 1a\r\n\r\n"],
    ["an empty Content-Length", "POST /p HTTP/1.1\r\nContent-Length:\r\n\r\n"],
    ["two different Content-Lengths", "POST /p HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"],
    ["Content-Length with Transfer-Encoding", "POST /p HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"],
    ["a final coding other than chunked", "POST /p HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"],
    ["chunked given twice", "POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"],
    ["a malformed chunk-size line", "POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n\r\n"],
    ["a chunk size followed by junk", "POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1x\r\na\r\n0\r\n\r\n"],
    ["chunk data without its CRLF", "POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\naX\r\n0\r\n\r\n"],
    ["a folded header line", "GET /a HTTP/1.1\r\nX-A: b\r\n Content-Length: 5\r\n\r\n"],
    ["a request line without a version", "GET /a\r\nHost: x\r\n\r\n"],
  ])("stops repairing for the rest of the stream when the request has %s", (_, first) => {
    const input = bytes(first, get("/x y"));
    expect(run([input])).toEqual(input);
    expect(run(byteByByte(input))).toEqual(input);
  });

  it("passes a long chunk-size line on and stops repairing when it exceeds the line bound", () => {
    const input = bytes("POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1;", "x".repeat(100), "\r\na\r\n0\r\n\r\n", get("/x y"));
    expect(run([input], small)).toEqual(input);
  });
});

// ---- properties ------------------------------------------------------------------------------

const noLineEnd = (a: Uint8Array) => Buffer.from(a.filter((x) => x !== 0x0a && x !== 0x0d));
const targetArb = fc.uint8Array({ maxLength: 40 }).map((a) => bytes("/", noLineEnd(a)));
const headerArb = fc.tuple(
  fc.constantFrom("Host", "Accept", "User-Agent", "X-Legacy", "Cookie", "content-type"),
  fc.uint8Array({ maxLength: 20 }).map((a) => Buffer.from(a.filter((x) => x > 0x20 && x !== 0x7f))),
);
const bodyArb = fc.oneof(
  fc.constant({ kind: "none" as const }),
  fc.record({ kind: fc.constant("length" as const), name: fc.constantFrom("Content-Length", "content-length"), data: fc.uint8Array({ maxLength: 60 }) }),
  fc.record({
    kind: fc.constant("chunked" as const),
    coding: fc.constantFrom("chunked", "Chunked", "gzip, chunked"),
    chunks: fc.array(fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 30 }), fc.constantFrom("", ";a=b", ';q="x y"', " ;e"), fc.boolean()), { maxLength: 3 }),
    trailers: fc.array(headerArb, { maxLength: 2 }),
  }),
);
const requestArb = fc.record({
  blankLines: fc.constantFrom("", "\r\n", "\r\n\n"),
  method: fc.constantFrom("GET", "POST"),
  target: targetArb,
  eol: fc.constantFrom("\r\n", "\n"),
  headers: fc.array(headerArb, { maxLength: 4 }),
  body: bodyArb,
});
type Req = typeof requestArb extends fc.Arbitrary<infer T> ? T : never;

const field = ([name, value]: [string, Buffer]) => bytes(name, ": ", value, "\r\n");

/** The request's bytes, with the target as sent or as the repairer must emit it, and where that target sits. */
function serialize(req: Req, repaired: boolean): { bytes: Buffer; target: [number, number] } {
  const head = bytes(req.blankLines, req.method, " ");
  const target = repaired ? bytes(encoded(req.target)) : req.target;
  const fields = req.headers.map(field);
  let body: Buffer[] = [];
  if (req.body.kind === "length") {
    fields.push(bytes(`${req.body.name}: ${req.body.data.length}\r\n`));
    body = [Buffer.from(req.body.data)];
  } else if (req.body.kind === "chunked") {
    fields.push(bytes(`Transfer-Encoding: ${req.body.coding}\r\n`));
    for (const [data, ext, upper] of req.body.chunks) {
      const size = data.length.toString(16);
      body.push(bytes(upper ? size.toUpperCase() : size, ext, "\r\n", data, "\r\n"));
    }
    body.push(bytes("0\r\n"), ...req.body.trailers.map(field), bytes("\r\n"));
  }
  const all = bytes(head, target, ` HTTP/1.1${req.eol}`, ...fields, "\r\n", ...body);
  return { bytes: all, target: [head.length, head.length + target.length] };
}

const streamArb = fc.tuple(fc.array(requestArb, { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 8 }));

describe("createRequestStreamRepairer properties", () => {
  it("emits the independently built repaired stream for any split when given 1-4 requests", () => {
    fc.assert(
      fc.property(streamArb, ([reqs, cuts]) => {
        const input = Buffer.concat(reqs.map((q) => serialize(q, false).bytes));
        const expected = Buffer.concat(reqs.map((q) => serialize(q, true).bytes));
        const whole = run([input]);
        expect(latin1(whole)).toBe(latin1(expected));
        expect(run(splitAt(input, cuts))).toEqual(whole);
      }),
      { numRuns: 400 },
    );
  });

  it("never leaves a byte <= 0x20 or >= 0x7F inside any request-target when the requests carry raw bytes", () => {
    fc.assert(
      fc.property(streamArb, ([reqs, cuts]) => {
        const input = Buffer.concat(reqs.map((q) => serialize(q, false).bytes));
        const out = run(splitAt(input, cuts));
        let offset = 0;
        for (const q of reqs) {
          const { bytes: one, target } = serialize(q, true);
          const t = out.subarray(offset + target[0], offset + target[1]);
          expect(t.every((x) => x > 0x20 && x < 0x7f)).toBe(true);
          offset += one.length;
        }
        expect(offset).toBe(out.length);
      }),
      { numRuns: 300 },
    );
  });

  it("never throws and ignores the split when the input is hostile HTTP-like noise under tight bounds", () => {
    const token = fc.oneof(
      fc.constantFrom("GET ", "POST ", "CONNECT ", " HTTP/1.1", "\r\n", "\n", "\r", "Content-Length: 3", "Content-Length: x"),
      fc.constantFrom("Transfer-Encoding: chunked", "Upgrade: x", "0\r\n", "5;x\r\n", " ", ": "),
      fc.uint8Array({ maxLength: 8 }).map((a) => latin1(Buffer.from(a))),
    );
    const limits = fc.record({ maxLineBytes: fc.integer({ min: 1, max: 64 }), maxHeaderBytes: fc.integer({ min: 1, max: 128 }) });
    fc.assert(
      fc.property(fc.array(token, { maxLength: 40 }), fc.array(fc.nat(), { maxLength: 10 }), limits, (tokens, cuts, lim) => {
        const input = bytes(tokens.join(""));
        const whole = run([input], lim);
        expect(run(splitAt(input, cuts), lim)).toEqual(whole);
        expect(whole.length).toBeGreaterThanOrEqual(input.length);
      }),
      { numRuns: 500 },
    );
  });
});

describe("repaired bytes through Node's HTTP parser", () => {
  it("answers both keep-alive requests 200 with the repaired targets when they had raw bytes", async () => {
    const urls: string[] = [];
    const server = createServer((req, res) => {
      urls.push(req.url ?? "");
      res.end("ok");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const socket = connect((server.address() as AddressInfo).port, "127.0.0.1");
    try {
      const raw = bytes(get(SJIS_TARGET, "Host: x\r\nConnection: keep-alive\r\n"), get(bytes("/b?n=", [0xe5, 0xb1, 0xb1], " x"), "Host: x\r\n"));
      const r = repairer();
      const stream = Buffer.concat([...splitAt(raw, [7, 60]).map((c) => r.feed(c)), r.flush()]);
      const answers = await new Promise<string>((resolve, reject) => {
        let got = "";
        socket.on("data", (d: Buffer) => {
          got += latin1(d);
          if ((got.match(/HTTP\/1\.1 \d{3}/g) ?? []).length >= 2) resolve(got);
        });
        socket.on("error", reject);
        socket.write(stream);
      });
      expect(answers.match(/HTTP\/1\.1 \d{3}/g)).toEqual(["HTTP/1.1 200", "HTTP/1.1 200"]);
      expect(urls).toEqual([SJIS_FIXED, "/b?n=%E5%B1%B1%20x"]);
    } finally {
      socket.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
