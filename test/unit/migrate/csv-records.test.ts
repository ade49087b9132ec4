/**
 * CSV as merchants export it: the encoding sniffed (UTF-8 with or without a BOM, Shift_JIS as
 * CP932), RFC 4180 quoting across commas and line ends, and a broken record reported by its line
 * while reading goes on.
 */
import iconv from "iconv-lite";
import { csvFromBuffer, isCsvProblem, type CsvProblem, type CsvRecord } from "../../../src/migrate/csv-records";

async function all(buf: Buffer, encoding?: "utf-8" | "shift_jis"): Promise<{ encoding: string; out: Array<CsvRecord | CsvProblem> }> {
  const src = csvFromBuffer(buf, encoding ? { encoding } : {});
  const out: Array<CsvRecord | CsvProblem> = [];
  for await (const r of src.records()) out.push(r);
  return { encoding: src.encoding, out };
}

describe("csv records", () => {
  it("sniffs Shift_JIS and decodes CP932's extensions", async () => {
    const { encoding, out } = await all(iconv.encode("会員ID,氏名\r\ntaro,髙橋 ①㈱\r\n", "cp932"));
    expect(encoding).toBe("shift_jis");
    expect(out).toEqual([
      { line: 1, cells: ["会員ID", "氏名"] },
      { line: 2, cells: ["taro", "髙橋 ①㈱"] },
    ]);
  });

  it("reads UTF-8 with a BOM (the BOM is not part of the first cell) and without one", async () => {
    const bom = await all(Buffer.from("\ufeffupcmemberid,token\nx,y\n"));
    expect(bom.encoding).toBe("utf-8");
    expect(bom.out[0]).toEqual({ line: 1, cells: ["upcmemberid", "token"] });
    const plain = await all(Buffer.from("氏名,x\n"));
    expect(plain).toEqual({ encoding: "utf-8", out: [{ line: 1, cells: ["氏名", "x"] }] });
  });

  it("keeps quoted commas, quotes and line ends inside a field, and counts physical lines", async () => {
    const { out } = await all(Buffer.from('a,"b, c","say ""hi""\r\nagain"\r\nnext,1,2\rlast,3,4'));
    expect(out).toEqual([
      { line: 1, cells: ["a", "b, c", 'say "hi"\r\nagain'] },
      { line: 3, cells: ["next", "1", "2"] },
      { line: 4, cells: ["last", "3", "4"] },
    ]);
  });

  it("reports a record broken by a stray quote with its line, and reads on", async () => {
    const { out } = await all(Buffer.from('ok,1\nbad"x,2\nok,3\n'));
    expect(out.filter(isCsvProblem).map((p) => p.line)).toContain(2);
    expect(out.filter((r) => !isCsvProblem(r)).map((r) => (r as CsvRecord).cells)).toContainEqual(["ok", "3"]);
  });

  it("takes the encoding it is told over what it would sniff", async () => {
    const { encoding, out } = await all(iconv.encode("名前\n", "cp932"), "shift_jis");
    expect(encoding).toBe("shift_jis");
    expect(out).toEqual([{ line: 1, cells: ["名前"] }]);
  });

  it("reads a record split across the reader's chunks whole", async () => {
    const long = "x".repeat(70 * 1024);
    const { out } = await all(Buffer.from(`first,${long}\nsecond,2\n`));
    expect(out).toEqual([
      { line: 1, cells: ["first", long] },
      { line: 2, cells: ["second", "2"] },
    ]);
  });
});

describe("csv records: a line of commas", () => {
  it("is capped like any long record, and the next line is read", async () => {
    const { out } = await all(Buffer.from(`${",".repeat(1_100_000)}\nnext,1\n`));
    expect(isCsvProblem(out[0]!)).toBe(true);
    expect(out[1]).toEqual({ line: 2, cells: ["next", "1"] });
  });
});

describe("csv records: a stray opening quote", () => {
  const cellsOf = (out: Array<CsvRecord | CsvProblem>) => out.map((r) => (isCsvProblem(r) ? `! ${r.line}` : `${r.line}: ${r.cells.join("|")}`));

  it("never closed: its line is reported and every row after it is still read", async () => {
    const { out } = await all(Buffer.from('ok,1\n"jiro,2\ntaro,3\r\nhanako,4\n'));
    expect(cellsOf(out)).toEqual(["1: ok|1", "! 2", "3: taro|3", "4: hanako|4"]);
    expect((out[1] as CsvProblem).reason).toMatch(/not closed .*read on their own/);
  });

  it("closed by a later row's quote: the rows in between are read on their own", async () => {
    const { out } = await all(Buffer.from('"jiro,2\ntaro,3\na,"b",c\n'));
    expect(cellsOf(out)).toEqual(["! 1", "2: taro|3", "3: a|b|c"]);
  });

  it("open over more lines than a field may span, even when a quote comes much later", async () => {
    const rows = Array.from({ length: 80 }, (_, i) => `m${i},${i}`);
    const { out } = await all(Buffer.from(`"stray,0\n${rows.join("\n")}\nz,"q"\n`));
    expect(cellsOf(out)).toEqual(["! 1", ...rows.map((r, i) => `${i + 2}: ${r.replace(",", "|")}`), "82: z|q"]);
  });

  it("keeps a real quoted field over line ends whole", async () => {
    const { out } = await all(Buffer.from('a,"line one\nline two",b\nnext,1\n'));
    expect(cellsOf(out)).toEqual(["1: a|line one\nline two|b", "3: next|1"]);
  });
});
