import { readFileSync } from "node:fs";
import { join } from "node:path";

import { parse } from "yaml";

import { compileMappingTable } from "../../../src/mapping/compile-mapping-table";
import { formatProblem } from "../../../src/mapping/mapping-problem";
import { MAPPING_FILES } from "../../../src/mapping/mapping-schema";

type Node = Record<string, unknown>;
const child = (n: unknown, k: string | number): unknown => (n as Node)[String(k)];
/** Test fixture surgery on parsed YAML: getIn/setIn walk plain objects and arrays. */
const getIn = (n: unknown, path: ReadonlyArray<string | number>): unknown => path.reduce(child, n);
function setIn(n: unknown, path: ReadonlyArray<string | number>, value: unknown): void {
  const parent = getIn(n, path.slice(0, -1)) as Node;
  parent[String(path[path.length - 1])] = value;
}
const realDocs = (): Record<string, unknown> =>
  Object.fromEntries(MAPPING_FILES.map((f) => [f, parse(readFileSync(join(__dirname, "../../../mappings", f), "utf8"))]));
const problemsOf = (docs: Record<string, unknown>) => {
  const r = compileMappingTable(docs);
  return r.ok ? [] : r.problems.map(formatProblem);
};

describe("compileMappingTable cross-checks", () => {
  it("rejects rule, operation, error-code and layout mistakes together", () => {
    const d = realDocs();
    setIn(d, ["fields.yaml", "ruleSets", "cardToken", "rules", 2, "failures"], { invalid: "email_invalid" }); // no `missing`
    setIn(d, ["fields.yaml", "ruleSets", "cardToken", "rules", 6, "from"], "holderfirstname"); // arity 2
    setIn(d, ["fields.yaml", "ruleSets", "charge", "rules", 0, "convert"], "yen"); // amount must be legacyTotal
    (getIn(d, ["fields.yaml", "ruleSets", "refund", "rules"]) as unknown[]).push({ to: "description", from: "sod" }); // a form field in a stored-payment body
    setIn(d, ["fields.yaml", "ruleSets", "cancel", "rules"], [{ to: "metadata.legacy-pid", const: "fixed" }]); // not the pid: a lost cancel could never be found
    const operations = getIn(d, ["operations.yaml", "operations"]) as Node[];
    operations.push({ ...(operations.find((r) => r["id"] === "memberpay.auth") as Node), id: "dup" });
    const dupAt = operations.length - 1;
    setIn(d, ["operations.yaml", "operations", 1, "job"], "PAYOUT");
    setIn(d, ["errors.yaml", "codes", "GX1"], { origin: "gateway", ja: "x", en: "x" });
    setIn(d, ["errors.yaml", "codes", "GAB123"], { origin: "legacy", ja: "x", en: "x" });
    setIn(d, ["errors.yaml", "keys", "card_lost"], "T52G01");
    const replyFields = getIn(d, ["layout.yaml", "reply", "fields"]) as unknown[];
    replyFields.push({ name: "no", from: "pid" });
    const noAt = replyFields.length - 1;
    setIn(d, ["statuses.yaml", "charge", "REFUND"], getIn(d, ["statuses.yaml", "charge", "AUTH"]));
    const problems = problemsOf(d);
    const expected = [
      'fields.yaml: ruleSets.cardToken.rules.2.failures: no error key for reason "missing"',
      'fields.yaml: ruleSets.cardToken.rules.6.from: converter "cardholder" takes 2 parameter(s), got 1',
      "fields.yaml: ruleSets.charge: `amount` must be computed by legacyTotal",
      "fields.yaml: ruleSets.refund.rules.4: the refund body is built from the payment, not the request",
      "fields.yaml: ruleSets.cancel: `metadata.legacy-pid` must be the `context` value `pid`",
      `operations.yaml: operations.${dupAt}: another row already matches memberpay AUTH *`,
      'operations.yaml: operations.1.job: job "PAYOUT" is not in knownJobs',
      "errors.yaml: codes.GX1: a detail code must be 6 characters A-Z/0-9",
      "errors.yaml: codes.GAB123: old-system codes must not start with G",
      'errors.yaml: keys.card_lost: unknown gateway error key "card_lost"',
      `layout.yaml: reply.fields.${noAt}: "no" must be a spec or reserved name in params.yaml`,
      'statuses.yaml: charge.REFUND: unknown transition "REFUND"',
    ];
    for (const e of expected) expect(problems.filter((p) => p.startsWith(e))).toEqual([expect.stringContaining(e)]);
  });

  it("reports a missing file and never returns a partial table", () => {
    const d = realDocs();
    delete d["statuses.yaml"];
    expect(problemsOf(d)).toEqual(["statuses.yaml: (file): file is missing"]);
  });
});
