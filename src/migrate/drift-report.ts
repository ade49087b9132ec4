/**
 * The drift report of an auto-billing run, beside its result file (`<results>.drift.csv`): one line
 * per difference between a row's legacy schedule and UnivaPay's (line, key, new_id, drift_code,
 * message), in input order, for the rows that were (or, in a dry run, would be) migrated; and the
 * counts by code for the summary. Same CSV rules as the result file.
 */
import type { DriftNote } from "../recurring/drift-notes";
import type { MigrationRowRecord } from "../store/store-types";
import { ResultFile } from "./result-file";

export class DriftReport {
  rows = 0;
  readonly codes: Record<string, number> = {};
  private constructor(private readonly file: ResultFile) {}

  static async open(path: string): Promise<DriftReport> {
    return new DriftReport(await ResultFile.open(path, "line,key,new_id,drift_code,message"));
  }

  async add(rec: MigrationRowRecord, notes: readonly DriftNote[]): Promise<void> {
    if (notes.length === 0) return;
    this.rows++;
    for (const n of notes) {
      this.codes[n.code] = (this.codes[n.code] ?? 0) + 1;
      await this.file.addCells([rec.line, rec.key, rec.newId, n.code, n.message]);
    }
  }

  close(): Promise<void> {
    return this.file.close();
  }
}
