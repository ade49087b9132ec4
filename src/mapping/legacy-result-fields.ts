/**
 * The fixed part of a synchronous reply or a kickback: field order and values from layout.yaml.
 * Echoed merchant fields are appended by the caller (they are stored pre-encoded). Pure; emits
 * every layout field, empty when its value is unknown, so the field set never varies.
 */
import type { LayoutCondition, LayoutName, LayoutSource } from "./mapping-schema";
import type { MappingTable } from "./mapping-table";
import type { LegacyResult } from "../domain/legacy-result";

export type { LegacyResult };

function valueOf(table: MappingTable, from: LayoutSource, r: LegacyResult): string {
  switch (from) {
    case "outcome":
      return table.layout.rst[r.outcome];
    case "ec":
      return r.ec;
    case "pid":
      return r.pid ?? "";
    case "mode": {
      const ap = table.layout.ap[r.mode];
      return "value" in ap ? ap.value : (r.pid ?? "");
    }
    case "sod":
      return r.sod ?? "";
    case "total":
      return r.total === null ? "" : String(r.total);
    case "job":
      return r.job;
    case "acid":
      return r.recurring?.acid ?? "";
    case "actp":
      return r.recurring?.actp ?? "";
    case "acdc":
      return r.recurring?.acdc ?? "";
    case "acst":
      return r.recurring?.status ?? "";
    case "acnd":
      return r.recurring?.nextOn ?? "";
    case "member":
      return r.member ?? "";
  }
}

function shown(when: LayoutCondition | undefined, r: LegacyResult): boolean {
  if (when === "recurring") return r.recurring !== undefined;
  if (when === "member") return r.member !== undefined;
  return true;
}

export function legacyResultFields(table: MappingTable, layout: LayoutName, r: LegacyResult): Array<[string, string]> {
  return table.layout.fields[layout].filter((f) => shown(f.when, r)).map((f) => [f.name, valueOf(table, f.from, r)]);
}
