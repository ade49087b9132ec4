/**
 * Prints the legacy error-code table (Markdown) from mappings/errors.yaml, for README.
 * `npm run build && node dist/scripts/error-code-table.js [mappingsDir]`
 */
import { ecFor, errorInfo, GATEWAY_ERROR_KEYS, loadMappingTable } from "../src/mapping";

export function errorCodeTable(dir: string): string {
  const table = loadMappingTable(dir);
  const rows = GATEWAY_ERROR_KEYS.map((key) => {
    const info = errorInfo(table, key);
    const origin = info.origin === "legacy" ? "old system" : "gateway";
    return `| \`${ecFor(table, key)}\` | ${key} | ${origin} | ${info.messageJa} | ${info.messageEn} |`;
  });
  return ["| ec | key | origin | 意味 | meaning |", "|---|---|---|---|---|", ...rows].join("\n");
}

if (require.main === module) {
  try {
    process.stdout.write(`${errorCodeTable(process.argv[2] ?? "mappings")}\n`);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
