import { join } from "node:path";

import { loadMappingTable, resolveOperation, type Endpoint } from "../../../src/mapping";
import { paramsOf } from "./param-source-of";

const table = loadMappingTable(join(__dirname, "../../../mappings"));

describe("resolveOperation", () => {
  it.each<[Endpoint, Record<string, string>, string, string, boolean | undefined]>([
    ["memberpay", { svid: "1", ptype: "1", job: "AUTH", upcmemberid: "t" }, "memberpay.auth", "charge", false],
    ["memberpay", { svid: "1", ptype: "1", job: "CAPTURE", upcmemberid: "t" }, "memberpay.capture", "charge", true],
    ["memberpay", { svid: "1", job: "capture", upcmemberid: "t" }, "memberpay.capture", "charge", true],
    ["memberpay", { job: "AUTH", upcmemberid: "t" }, "memberpay.auth", "charge", false],
    ["payment", { svid: "1", ptype: "1", job: "SALES", pid: "12345678" }, "payment.sales", "capture", undefined],
    ["payment", { svid: "1", ptype: "1", job: "Cancel", pid: "12345678" }, "payment.cancel", "cancel", undefined],
    ["payment", { svid: "1", job: "CANCEL", pid: "12345678" }, "payment.cancel", "cancel", undefined],
    ["payment", { svid: "1", ptype: "1", job: "AUTH" }, "payment.card-auth", "cardCharge", false],
    ["payment", { svid: "1", ptype: "1", job: "CAPTURE" }, "payment.card-capture", "cardCharge", true],
    ["payment", { svid: "1", ptype: "8", job: "CAPTURE", sucd: "p_return" }, "payment.link.capture.8", "hostedCharge", true],
    ["payment", { svid: "1", ptype: "3", job: "AUTH" }, "payment.link.auth.3", "hostedCharge", false],
    ["payment", { svid: "1", ptype: "4", job: "auth" }, "payment.link.auth.4", "hostedCharge", false],
  ])("resolves %s %j to %s", (endpoint, p, id, action, capture) => {
    const r = resolveOperation(table, endpoint, paramsOf(p));
    expect(r).toEqual({
      ok: true,
      value: expect.objectContaining({ id, action, paymentType: "card", row: expect.objectContaining({ capture }) }),
    });
  });

  it("takes an operation on a pid without svid as one on the payment's own service", () => {
    for (const job of ["SALES", "CANCEL"]) {
      const r = resolveOperation(table, "payment", paramsOf({ ptype: "1", job, pid: "12345678" }));
      expect(r.ok && r.value.paymentType).toBeUndefined();
      expect(r.ok).toBe(true);
    }
  });

  it("returns the canonical upper-case job, its action and its row", () => {
    const r = resolveOperation(table, "memberpay", paramsOf({ svid: "1", job: "capture", upcmemberid: "t" }));
    expect(r.ok && [r.value.job, r.value.action, r.value.row.capture, r.value.requires]).toEqual(["CAPTURE", "charge", true, ["upcmemberid"]]);
    const s = resolveOperation(table, "payment", paramsOf({ svid: "1", job: "sales", pid: "1" }));
    expect(s.ok && [s.value.job, s.value.action]).toEqual(["SALES", "capture"]);
  });

  it.each<[Endpoint, Record<string, string>, string[]]>([
    ["memberpay", { svid: "1", upcmemberid: "t" }, ["job_missing"]],
    ["memberpay", { svid: "1", job: "", upcmemberid: "t" }, ["job_missing"]],
    ["memberpay", { svid: "1", job: "PAY", upcmemberid: "t" }, ["job_unknown"]],
    ["memberpay", { svid: "1", job: "REFUND", pid: "1" }, ["job_not_supported"]],
    ["payment", { svid: "1", ptype: "1", job: "REFUND", pid: "1" }, ["job_not_supported"]],
    ["payment", { svid: "2", ptype: "1", job: "EBPRERENTAL" }, ["job_not_supported", "svid_unsupported"]],
    ["memberpay", { svid: "1", job: "SALES", pid: "1" }, ["job_not_supported"]],
    ["payment", { svid: "1", ptype: "3", job: "CHECK" }, ["ptype_unsupported"]],
    ["payment", { svid: "6", ptype: "8", job: "REQUEST" }, ["job_not_supported", "svid_unsupported"]],
    ["payment", { svid: "1", ptype: "2", job: "AUTH" }, ["ptype_unsupported"]],
    ["payment", { svid: "1", job: "AUTH" }, ["ptype_unsupported"]],
    ["payment", { svid: "6", ptype: "1", job: "SALES", pid: "1" }, ["svid_unsupported"]],
    ["payment", { svid: "1", ptype: "1", job: "SALES" }, ["pid_missing"]],
    ["payment", { svid: "1", ptype: "1", job: "CANCEL", pid: "" }, ["pid_missing"]],
    ["memberpay", { svid: "1", job: "AUTH" }, ["member_missing"]],
    ["memberpay", { svid: "9", job: "AUTH" }, ["svid_unsupported", "member_missing"]],
  ])("fails %s %j with %j", (endpoint, p, keys) => {
    const r = resolveOperation(table, endpoint, paramsOf(p));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.failures.map((f) => f.key).sort()).toEqual([...keys].sort());
  });

  it("names the offending field and carries the key's ec", () => {
    const r = resolveOperation(table, "payment", paramsOf({ svid: "1", ptype: "2", job: "CAPTURE" }));
    expect(r).toEqual({
      ok: false,
      failures: [{ key: "ptype_unsupported", ec: "ER000GRQ014", field: "ptype", message: "ptype: ptype not supported" }],
    });
  });
});
