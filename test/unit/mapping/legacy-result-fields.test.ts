import { join } from "node:path";

import { SUCCESS_EC, isEchoedParam, legacyResultFields, loadMappingTable } from "../../../src/mapping";

const table = loadMappingTable(join(__dirname, "../../../mappings"));
const base = { pid: "12345678", outcome: "success", ec: SUCCESS_EC, mode: "live", sod: "A-1", total: 1600, job: "CAPTURE" } as const;

describe("legacyResultFields", () => {
  it("lays out the sync reply as rst, ec, pid, ap, sod, ta, job", () => {
    expect(legacyResultFields(table, "reply", base)).toEqual([
      ["rst", "1"],
      ["ec", "ER000000000"],
      ["pid", "12345678"],
      ["ap", "12345678"],
      ["sod", "A-1"],
      ["ta", "1600"],
      ["job", "CAPTURE"],
    ]);
  });

  it("lays out the kickback as pid, rst, ap, ec, sod, ta, job with TestMode in test mode", () => {
    const r = legacyResultFields(table, "kickback", { ...base, mode: "test", outcome: "failure", ec: "ER000T52G01" });
    expect(r).toEqual([
      ["pid", "12345678"],
      ["rst", "2"],
      ["ap", "TestMode"],
      ["ec", "ER000T52G01"],
      ["sod", "A-1"],
      ["ta", "1600"],
      ["job", "CAPTURE"],
    ]);
  });

  it("keeps every field, empty when unknown, and answers pending with rst=0", () => {
    const r = legacyResultFields(table, "reply", { ...base, pid: null, sod: null, total: null, outcome: "pending" });
    expect(r.map(([k]) => k)).toEqual(["rst", "ec", "pid", "ap", "sod", "ta", "job"]);
    expect(Object.fromEntries(r)).toEqual(expect.objectContaining({ rst: "0", pid: "", ap: "", sod: "", ta: "" }));
  });
});

describe("isEchoedParam", () => {
  it.each(["no", "uniqueField", "order_id", "SID", "siam", "siamx", "pod", "rst2"])("echoes merchant field %s", (n) =>
    expect(isEchoedParam(table, n)).toBe(true),
  );
  it.each([
    "sid",
    "svid",
    "ptype",
    "job",
    "rt",
    "sod",
    "upcmemberid",
    "siam1",
    "siam12",
    "sisf1",
    "sinm3",
    "sicd1",
    "sisu1",
    "sc",
    "sucd",
    "pid",
    "acid",
    "em",
    "tn",
    "actp1",
    "acdc1",
    "acmc1",
    "acam1",
    "acrm1",
    "acrt1",
    "acrd1",
    "lang",
    "method",
    "pdcur",
    "cvna1",
    "cvna2",
    "cardno",
    "expire",
    "securitycode",
    "holderfirstname",
    "holderlastname",
    "rst",
    "ec",
    "ap",
    "ta",
    "pod1",
  ])("does not echo spec or result name %s", (n) => expect(isEchoedParam(table, n)).toBe(false));
});
