/**
 * Applies a compiled rule set (fields.yaml) to a legacy request: constants, named converters,
 * nested target paths. Collects EVERY failure, each with its documented ec. Pure: the only
 * outside input is ctx.now (card expiry); never throws for any request.
 */
import { CONVERTERS, type ConvertEnv, type ConvertIssue } from "./converters";
import { failureFor } from "./error-codes";
import type { LegacyFailure, Result } from "./legacy-failure";
import type { RuleSetName } from "./mapping-schema";
import type { ContextValue } from "./context-values";
import type { CompiledRule, CompiledTarget, MappingTable } from "./mapping-table";
import type { ParamSource } from "./param-source";

export interface MappingContext {
  /** The instant card expiry is judged against; injected so tests and replays are exact. */
  readonly now: Date;
  /** The gateway's own values for `context:` rules. Absent while a request is only validated
   *  (before its payment exists): those rules are then skipped. */
  readonly values?: Readonly<Partial<Record<ContextValue, string | number>>>;
}

type Body = Record<string, unknown>;

function setPath(target: Body, path: readonly string[], value: unknown): void {
  let node = target;
  path.forEach((seg, i) => {
    if (i === path.length - 1) {
      node[seg] = value;
      return;
    }
    const next = node[seg];
    // The loader rejects "a" + "a.b" targets, so an existing entry here is always an object.
    const child: Body = typeof next === "object" && next !== null ? (next as Body) : {};
    node[seg] = child;
    node = child;
  });
}

function writeTarget(body: Body, to: CompiledTarget, value: unknown): void {
  if (to.kind === "single") return setPath(body, to.path, value);
  const parts = typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  for (const [part, path] of to.parts) setPath(body, path, parts[part]);
}

function issueFailure(table: MappingTable, rule: CompiledRule & { kind: "convert" }, issue: ConvertIssue): LegacyFailure {
  const field = issue.field ?? rule.from[0];
  const key = rule.failures[issue.reason];
  // A reason without a key cannot pass the loader; if a converter ever invents one, say so.
  if (key === undefined) return { ...failureFor(table, "internal", field), message: `unmapped converter reason "${issue.reason}"` };
  return failureFor(table, key, field);
}

function applyRule(table: MappingTable, rule: CompiledRule, env: ConvertEnv, body: Body, failures: LegacyFailure[], ctx: MappingContext) {
  if (rule.kind === "const") return setPath(body, rule.path, rule.value);
  if (rule.kind === "context") {
    if (!ctx.values) return;
    const v = ctx.values[rule.name];
    // The caller's bug, not the merchant's: say so rather than send a body without it.
    if (v === undefined) return void failures.push({ ...failureFor(table, "internal"), message: `context value ${rule.name} not given` });
    return setPath(body, rule.path, v);
  }
  // An empty value counts as absent: legacy clients send `em=` when the shopper gave none.
  const inputs = rule.from.map((name) => env.params.get(name));
  const absentAt = inputs.findIndex((v) => v === undefined || v === "");
  if (absentAt >= 0) {
    if (rule.required) failures.push(issueFailure(table, rule, { reason: "missing", field: rule.from[absentAt] }));
    return;
  }
  const out = rule.converter.convert(
    inputs.map((v) => v ?? ""),
    env,
  );
  if (!out.ok) {
    for (const issue of out.issues) failures.push(issueFailure(table, rule, issue));
    return;
  }
  if (out.value !== undefined) writeTarget(body, rule.to, out.value);
}

/** Maps `params` through rule set `ruleSet`; on failure lists every problem found. */
export function mapFields(table: MappingTable, ruleSet: RuleSetName, params: ParamSource, ctx: MappingContext): Result<Record<string, unknown>> {
  const env: ConvertEnv = { now: ctx.now, limits: table.limits, params };
  const body: Body = {};
  const failures: LegacyFailure[] = [];
  for (const rule of table.ruleSets[ruleSet]) applyRule(table, rule, env, body, failures, ctx);
  return failures.length > 0 ? { ok: false, failures } : { ok: true, value: body };
}

export interface ChargeMapping {
  /** POST /charges body without transaction_token_id and capture (the flow sets those). */
  readonly body: { readonly amount: number; readonly currency: string; readonly metadata: Record<string, unknown> } & Record<string, unknown>;
  /** The legacy total `ta` = Σ(siamN + sisfN); equal to body.amount by construction. */
  readonly total: number;
}

/** The charge rule set plus the legacy total for `ta`. */
export function mapCharge(table: MappingTable, params: ParamSource, ctx: MappingContext): Result<ChargeMapping> {
  const r = mapFields(table, "charge", params, ctx);
  if (!r.ok) return r;
  const { amount, currency, metadata } = r.value;
  // The loader pins amount to legacyTotal and currency to a const; check the shape anyway
  // rather than cast, so a table edit can never produce a malformed charge.
  if (typeof amount !== "number" || typeof currency !== "string")
    return { ok: false, failures: [{ ...failureFor(table, "internal"), message: "charge rules must produce amount and currency" }] };
  const meta = typeof metadata === "object" && metadata !== null ? (metadata as Record<string, unknown>) : {};
  return { ok: true, value: { body: { ...r.value, amount, currency, metadata: meta }, total: amount } };
}

/**
 * The legacy total `ta` a request asks for, Σ(siamN + sisfN), or null when it cannot be read
 * (missing, malformed or out of bounds). For failure replies, which still tell the merchant which
 * amount was refused.
 */
export function requestTotal(table: MappingTable, params: ParamSource, ctx: MappingContext): number | null {
  const out = CONVERTERS.legacyTotal.convert([], { now: ctx.now, limits: table.limits, params });
  return out.ok && typeof out.value === "number" ? out.value : null;
}

/**
 * Adds the `context:` rules of `ruleSet` to a body already mapped from a request (validated before
 * the payment existed, so without them): the pid, sid, amount… known once the payment is made.
 */
export function withContext(
  table: MappingTable,
  ruleSet: RuleSetName,
  body: Record<string, unknown>,
  values: Readonly<Partial<Record<ContextValue, string | number>>>,
): Result<Record<string, unknown>> {
  const out: Body = structuredClone(body);
  const failures: LegacyFailure[] = [];
  for (const rule of table.ruleSets[ruleSet]) {
    if (rule.kind !== "context") continue;
    const v = values[rule.name];
    if (v === undefined) failures.push({ ...failureFor(table, "internal"), message: `context value ${rule.name} not given` });
    else setPath(out, rule.path, v);
  }
  return failures.length > 0 ? { ok: false, failures } : { ok: true, value: out };
}

/** A rule set built from the gateway's own values only (capture, cancel, refund bodies). */
export function mapFromContext(
  table: MappingTable,
  ruleSet: RuleSetName,
  values: Readonly<Partial<Record<ContextValue, string | number>>>,
): Result<Record<string, unknown>> {
  return withContext(table, ruleSet, constantsOf(table, ruleSet), values);
}

function constantsOf(table: MappingTable, ruleSet: RuleSetName): Body {
  const body: Body = {};
  for (const rule of table.ruleSets[ruleSet]) if (rule.kind === "const") setPath(body, rule.path, rule.value);
  return body;
}
