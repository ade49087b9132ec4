/**
 * Compiles the rule sets of mappings/fields.yaml: resolves converter names against the registry,
 * checks arity, output parts and that every failure reason maps to an error key. Reports every
 * problem; never guesses a converter or a key.
 */
import { findConverter } from "./converters";
import type { GatewayErrorKey } from "./legacy-failure";
import type { ProblemSink } from "./mapping-problem";
import { RULE_SETS, type FieldsFile, type RuleInput, type RuleSetName } from "./mapping-schema";
import type { CompiledRule, CompiledTarget } from "./mapping-table";
import { CONTEXT_VALUES, isContextValue } from "./context-values";

const splitPath = (p: string): readonly string[] => p.split(".");

function compileTarget(sink: ProblemSink, at: string, rule: RuleInput, outputs: readonly string[] | undefined) {
  const { to } = rule;
  if (typeof to === "string") {
    if (outputs !== undefined) sink.add(`${at}.to`, `converter has parts [${outputs.join(", ")}]; map each part to a path`);
    return { kind: "single", path: splitPath(to) } satisfies CompiledTarget;
  }
  const parts = Object.entries(to);
  if (outputs === undefined) sink.add(`${at}.to`, "converter has a single output; `to` must be a path");
  else {
    for (const o of outputs) if (!(o in to)) sink.add(`${at}.to`, `missing part "${o}"`);
    for (const [k] of parts) if (!outputs.includes(k)) sink.add(`${at}.to.${k}`, `unknown part "${k}"`);
  }
  return { kind: "parts", parts: parts.map(([k, p]) => [k, splitPath(p)] as const) } satisfies CompiledTarget;
}

function compileConvertRule(sink: ProblemSink, at: string, rule: RuleInput, name: string): CompiledRule | null {
  const converter = findConverter(name);
  if (converter === undefined) {
    sink.add(`${at}.convert`, `unknown converter "${name}"`);
    return null;
  }
  const from = rule.from === undefined ? [] : typeof rule.from === "string" ? [rule.from] : rule.from;
  if (from.length !== converter.arity) sink.add(`${at}.from`, `converter "${name}" takes ${converter.arity} parameter(s), got ${from.length}`);
  const required = rule.required ?? false;
  if (required && converter.arity === 0) sink.add(`${at}.required`, "a computed rule reports `missing` itself");
  const failures: Record<string, GatewayErrorKey> = rule.failures ?? {};
  const expected = [...converter.reasons, ...(required ? ["missing"] : [])];
  for (const r of expected) if (!(r in failures)) sink.add(`${at}.failures`, `no error key for reason "${r}"`);
  for (const r of Object.keys(failures)) if (!expected.includes(r)) sink.add(`${at}.failures.${r}`, `converter "${name}" has no reason "${r}"`);
  const to = compileTarget(sink, at, rule, converter.outputs);
  return { kind: "convert", from, to, converter, required, failures };
}

function compileRule(sink: ProblemSink, at: string, rule: RuleInput): CompiledRule | null {
  if (rule.context !== undefined) {
    if (rule.const !== undefined || rule.convert !== undefined || rule.from !== undefined || rule.failures !== undefined || rule.required !== undefined)
      sink.add(at, "a `context` rule takes no `const`, `convert`, `from`, `required` or `failures`");
    if (!isContextValue(rule.context)) sink.add(`${at}.context`, `unknown context value "${rule.context}" (known: ${CONTEXT_VALUES.join(", ")})`);
    if (typeof rule.to !== "string") {
      sink.add(`${at}.to`, "a `context` rule needs a single path");
      return null;
    }
    return isContextValue(rule.context) ? { kind: "context", path: splitPath(rule.to), name: rule.context } : null;
  }
  if (rule.const !== undefined) {
    if (rule.convert !== undefined) sink.add(at, "use either `const` or `convert`, not both");
    if (rule.from !== undefined || rule.failures !== undefined || rule.required !== undefined)
      sink.add(at, "a `const` rule takes no `from`, `required` or `failures`");
    if (typeof rule.to !== "string") {
      sink.add(`${at}.to`, "a `const` rule needs a single path");
      return null;
    }
    return { kind: "const", path: splitPath(rule.to), value: rule.const };
  }
  if (rule.convert === undefined) {
    sink.add(at, "a rule needs `const` or `convert`");
    return null;
  }
  return compileConvertRule(sink, at, rule, rule.convert);
}

function targetKeys(rule: CompiledRule): string[] {
  if (rule.kind === "const" || rule.kind === "context") return [rule.path.join(".")];
  const t = rule.to;
  return t.kind === "single" ? [t.path.join(".")] : t.parts.map(([, p]) => p.join("."));
}

/** Rule sets of requests on an existing payment: made from what is stored, never from the form. */
const CONTEXT_ONLY_RULE_SETS = ["capture", "cancel", "refund"] as const satisfies readonly RuleSetName[];

/** `extends`: the base set's compiled rules, minus those writing a target the set writes, first.
 *  One level only (a base that extends again is refused), so what a set sends stays readable. */
function inherit(sink: ProblemSink, file: FieldsFile, out: Record<RuleSetName, CompiledRule[]>, set: RuleSetName): void {
  const base = file.ruleSets[set].extends;
  if (base === undefined) return;
  const at = `ruleSets.${set}.extends`;
  if (!(RULE_SETS as readonly string[]).includes(base) || base === set) return sink.add(at, `unknown rule set "${base}"`);
  const from = base as RuleSetName;
  if (file.ruleSets[from].extends !== undefined) return sink.add(at, `"${base}" extends another rule set itself`);
  const own = new Set(out[set].flatMap(targetKeys));
  out[set] = [...out[from].filter((r) => !targetKeys(r).some((k) => own.has(k))), ...out[set]];
}

export function compileRuleSets(sink: ProblemSink, file: FieldsFile): Record<RuleSetName, CompiledRule[]> {
  const out: Record<RuleSetName, CompiledRule[]> = { charge: [], cardToken: [], checkToken: [], linkForm: [], capture: [], cancel: [], refund: [] };
  for (const set of RULE_SETS) {
    const seen = new Set<string>();
    file.ruleSets[set].rules.forEach((rule, i) => {
      const at = `ruleSets.${set}.rules.${i}`;
      const compiled = compileRule(sink, at, rule);
      if (compiled === null) return;
      for (const k of targetKeys(compiled)) {
        if (seen.has(k)) sink.add(`${at}.to`, `target "${k}" is written by an earlier rule`);
        seen.add(k);
      }
      out[set].push(compiled);
    });
    // "metadata" and "metadata.x" cannot both be written: one would clobber the other.
    for (const k of seen) for (const other of seen) if (other.startsWith(`${k}.`)) sink.add(`ruleSets.${set}`, `target "${k}" is a prefix of "${other}"`);
  }
  for (const set of RULE_SETS) inherit(sink, file, out, set);
  // These bodies are built from the gateway's own values (mapFromContext): a rule reading a
  // request field would silently be dropped, so it is refused here.
  for (const set of CONTEXT_ONLY_RULE_SETS)
    file.ruleSets[set].rules.forEach((rule, i) => {
      if (rule.context === undefined && rule.const === undefined)
        sink.add(`ruleSets.${set}.rules.${i}`, `the ${set} body is built from the payment, not the request: only \`const\` and \`context\` rules`);
    });
  // A resource whose create answer was lost is found again by this metadata (a charge by the
  // reconciler, a cancel or refund by its webhook): without it, such a transition stays open for ever.
  for (const set of ["charge", "cancel", "refund"] as const) {
    const pid = file.ruleSets[set].rules.find((r) => r.to === "metadata.legacy-pid");
    if (pid?.context !== "pid") sink.add(`ruleSets.${set}`, "`metadata.legacy-pid` must be the `context` value `pid` (lost create answers are found by it)");
  }
  // mapCharge reports `amount` as the legacy total `ta`; that is only true for legacyTotal.
  const amount = file.ruleSets.charge.rules.find((r) => r.to === "amount");
  if (amount?.convert !== "legacyTotal") sink.add("ruleSets.charge", "`amount` must be computed by legacyTotal (it is reported as the legacy total ta)");
  return out;
}
