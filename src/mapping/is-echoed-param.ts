/**
 * Decides whether a request parameter is a merchant-defined field that must be echoed back.
 * Everything the legacy spec knows (params.yaml spec/card names and patterns) and our own result
 * field names are not echoed; every other name is. Pure lookup.
 */
import type { MappingTable } from "./mapping-table";

export function isEchoedParam(table: MappingTable, name: string): boolean {
  if (table.params.names.has(name)) return false;
  return !table.params.patterns.some((p) => p.test(name));
}
