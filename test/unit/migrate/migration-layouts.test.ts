/**
 * mappings/migration.yaml through the real loader (a broken copy lists every problem), and the
 * layouts applied to CSV records: header found by name in any order, or columns by position; a
 * header with a typo stops the run before any row.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkMappingDir, loadMappingTable } from "../../../src/mapping";
import { headerKey } from "../../../src/mapping/compile-migration";
import { csvFromBuffer } from "../../../src/migrate/csv-records";
import { layoutRows, type InputRow } from "../../../src/migrate/input-rows";

const REAL = join(__dirname, "../../../mappings");

async function rowsOf(text: string, layout: string): Promise<InputRow[]> {
  const l = loadMappingTable(REAL).migration.layouts[layout];
  if (!l) throw new Error(`no layout ${layout}`);
  const out: InputRow[] = [];
  for await (const r of layoutRows(csvFromBuffer(Buffer.from(text)).records(), l)) out.push(r);
  return out;
}

describe("mappings/migration.yaml", () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("compiles the real layouts, headers folded for comparison", () => {
    const m = loadMappingTable(REAL).migration;
    expect(Object.keys(m.layouts)).toEqual(expect.arrayContaining(["members", "payments", "members-token-last"]));
    expect(m.layouts["members"]?.fields.find((f) => f.name === "tokenId")?.headers).toContain("transactiontokenid");
    expect(m.chargeStates).toEqual({ authorized: "authorized", successful: "captured", canceled: "canceled" });
    expect(headerKey(" Transaction Token-ID ")).toBe("transactiontokenid");
    expect(headerKey("ＵＰＣＭＥＭＢＥＲＩＤ")).toBe("upcmemberid");
  });

  it("lists every problem of a broken layout at once", () => {
    const dir = mkdtempSync(join(tmpdir(), "mappings-"));
    dirs.push(dir);
    cpSync(REAL, dir, { recursive: true });
    const path = join(dir, "migration.yaml");
    const text = readFileSync(path, "utf8").replace(
      "      tokenId: { column: 1, headers: [transaction_token_id, token_id] }\n",
      "      tokn: { column: 1, headers: [x] }\n      sod: { column: 3, headers: [会員ID] }\n",
    );
    writeFileSync(path, text);
    expect(checkMappingDir(dir)).toEqual([
      "migration.yaml: layouts.members-token-last.fields.tokn: not a field of members (its fields: upcmemberid, tokenId)",
      "migration.yaml: layouts.members-token-last.fields.sod: not a field of members (its fields: upcmemberid, tokenId)",
      'migration.yaml: layouts.members-token-last.fields: "tokenId" is required for members',
      'migration.yaml: layouts.members-token-last.fields.upcmemberid.column: column 3 is also "sod"',
      'migration.yaml: layouts.members-token-last.fields.upcmemberid.headers: "会員ID" is also a header of "sod"',
    ]);
  });
});

describe("layoutRows", () => {
  it("finds the columns of a header by name, in any order, extra columns ignored", async () => {
    expect(await rowsOf("氏名,Token ID,会員ID\n山田, t1 ,taro\n", "members")).toEqual([{ line: 2, fields: { tokenId: "t1", upcmemberid: "taro" } }]);
  });

  it("reads a headerless file by position, short rows giving empty fields", async () => {
    expect(await rowsOf("taro,t1\nhanako\n", "members")).toEqual([
      { line: 1, fields: { upcmemberid: "taro", tokenId: "t1" } },
      { line: 2, fields: { upcmemberid: "hanako", tokenId: "" } },
    ]);
    expect(await rowsOf("t1,x,taro\n", "members-token-last")).toEqual([{ line: 1, fields: { tokenId: "t1", upcmemberid: "taro" } }]);
  });

  it("passes a malformed record on as a problem of its line and goes on", async () => {
    const rows = await rowsOf('upcmemberid,token_id\n"taro,t1\n', "members");
    expect(rows).toEqual([expect.objectContaining({ line: 2, problem: expect.any(String) })]);
  });

  it("refuses a header that names some required fields but not all", async () => {
    await expect(rowsOf("upcmemberid,tokn\nx,y\n", "members")).rejects.toThrow("the header row names upcmemberid but not tokenId");
  });
});
