/**
 * zod schemas for the files in mappings/ (shape only). Cross-field rules that need the converter
 * registry or other files live in the compile-* modules. Pure: no I/O, no defaults invented here.
 */
import { z } from "zod";

import type { GatewayErrorKey } from "./legacy-failure";
import { OUTCOMES } from "./univapay-statuses";

/** Every file the loader expects; an extra or missing *.yaml file is a load problem. */
export const MAPPING_FILES = [
  "params.yaml",
  "services.yaml",
  "operations.yaml",
  "fields.yaml",
  "statuses.yaml",
  "errors.yaml",
  "layout.yaml",
  "recurring.yaml",
  "migration.yaml",
] as const;
export type MappingFile = (typeof MAPPING_FILES)[number];

const Note = z.string().min(1).optional();
/** YAML types `1` as a number; svid/ptype/rst values are compared as text. */
const Text = z.union([z.string(), z.number()]).transform(String);
/** Any string here: check-error-keys.ts reports unknown keys after the schema, one line each,
 *  without hiding the file's other problems. The table is never built while one is unknown. */
export const ErrorKeySchema = z.custom<GatewayErrorKey>((v) => typeof v === "string" && v !== "", "must be an error key");
const DetailCode = z.string().regex(/^[A-Z0-9]{6}$/, "must be 6 characters A-Z/0-9");
const ParamName = z.string().regex(/^[A-Za-z0-9_]+$/, "must be a plain parameter name");
const Pattern = z.string().refine(
  (p) => {
    try {
      new RegExp(p);
      return true;
    } catch {
      return false;
    }
  },
  { message: "is not a valid regular expression" },
);

export const ParamsFileSchema = z.strictObject({
  note: Note,
  spec: z.strictObject({ names: z.array(ParamName), patterns: z.array(Pattern) }),
  card: z.strictObject({ note: Note, names: z.array(ParamName) }),
  reserved: z.strictObject({ note: Note, names: z.array(ParamName), patterns: z.array(Pattern) }),
});

export const ENDPOINTS = ["memberpay", "payment"] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

export const ServicesFileSchema = z.strictObject({
  services: z.record(z.string(), z.strictObject({ paymentType: z.string().min(1), note: Note })),
  missingSvid: z.strictObject({ note: Note, memberpay: Text.optional(), payment: Text.optional() }),
  unsupported: ErrorKeySchema,
});

/** Which transition kind runs a row; the kind registry checks at start that one serves it. */
export type OperationAction = string;

const OperationRowSchema = z.strictObject({
  id: z.string().min(1),
  endpoint: z.enum(ENDPOINTS),
  job: z.string().regex(/^[A-Z0-9]+$/, "must be upper case"),
  ptype: Text.optional(),
  action: z.string().regex(/^[a-z][A-Za-z0-9]*$/, "must be a plain name"),
  capture: z.boolean().optional(),
  requires: z.array(ParamName).optional(),
  /** An operation on an existing pid: without svid it is the payment's own service. */
  svidOfPayment: z.boolean().optional(),
  /** The row applies only when this parameter is present (non-empty) and not one of `except`;
   *  it then beats the row of the same (endpoint, job, ptype) without a condition. */
  when: z.strictObject({ param: ParamName, except: z.array(z.string()).optional() }).optional(),
  /** `browser`: the shopper's browser sends it (the link method) and is answered with pages and
   *  redirects, not a legacy body; checked by Referer instead of source IP. Default `server`. */
  channel: z.enum(["server", "browser"]).optional(),
  /** A hosted-page row's 3-D Secure mode on UnivaPay's form (ptype 4). */
  threeDs: z.enum(["force", "require", "if_available"]).optional(),
  note: Note,
});
export type OperationRowInput = z.infer<typeof OperationRowSchema>;

export const OperationsFileSchema = z.strictObject({
  knownJobs: z.strictObject({ note: Note, jobs: z.array(z.string().regex(/^[A-Z0-9]+$/)) }),
  unsupportedPtypes: z.strictObject({ note: Note, payment: z.array(Text), memberpay: z.array(Text) }),
  requiredParams: z.strictObject({ note: Note, params: z.record(ParamName, ErrorKeySchema) }),
  operations: z.array(OperationRowSchema).min(1),
});

const TargetPath = z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, "must be a dotted path");
const RuleSchema = z.strictObject({
  from: z.union([ParamName, z.array(ParamName).min(1)]).optional(),
  to: z.union([TargetPath, z.record(z.string(), TargetPath)]),
  convert: z.string().optional(),
  const: z.union([z.string(), z.number(), z.boolean()]).optional(),
  /** A value the gateway knows rather than the request (CONTEXT_VALUES: the pid, the amount, …). */
  context: z.string().optional(),
  required: z.boolean().optional(),
  failures: z.record(z.string(), ErrorKeySchema).optional(),
  note: Note,
});
export type RuleInput = z.infer<typeof RuleSchema>;
const RuleSetSchema = z.strictObject({
  note: Note,
  /** Another rule set whose rules this one takes, except those writing a target it writes itself. */
  extends: z.string().optional(),
  rules: z.array(RuleSchema).min(1),
});

export const RULE_SETS = ["charge", "cardToken", "checkToken", "linkForm", "capture", "cancel", "refund"] as const;
export type RuleSetName = (typeof RULE_SETS)[number];

export const FieldsFileSchema = z.strictObject({
  limits: z.strictObject({
    amount: z.strictObject({ min: z.number().int().min(0), max: z.number().int().positive(), note: Note }),
  }),
  ruleSets: z.strictObject({
    charge: RuleSetSchema,
    cardToken: RuleSetSchema,
    checkToken: RuleSetSchema,
    linkForm: RuleSetSchema,
    capture: RuleSetSchema,
    cancel: RuleSetSchema,
    refund: RuleSetSchema,
  }),
});

const Outcome = z.enum(OUTCOMES);
/** Status tables are plain records here; exhaustiveness is checked with readable messages later. */
const StatusTable = z.record(z.string(), Outcome);
export const StatusesFileSchema = z.strictObject({
  charge: z.object({ note: Note }).catchall(StatusTable),
  cancel: StatusTable,
  refund: StatusTable,
  cvvAuthorize: z.object({ note: Note }).catchall(Outcome),
});

export const ErrorsFileSchema = z.strictObject({
  prefix: z.strictObject({ value: z.string().regex(/^[A-Z0-9]{5}$/, "must be 5 characters A-Z/0-9"), note: Note }),
  // Record keys are checked in compile-errors, so a bad key does not hide the file's other problems.
  codes: z.record(z.string(), z.strictObject({ origin: z.enum(["legacy", "gateway"]), ja: z.string().min(1), en: z.string().min(1) })),
  keys: z.object({ note: Note }).catchall(DetailCode),
  paymentErrors: z.strictObject({
    note: Note,
    default: ErrorKeySchema,
    codes: z.record(z.string(), DetailCode),
  }),
  apiErrors: z.strictObject({
    note: Note,
    default: ErrorKeySchema,
    codes: z.record(z.string(), DetailCode),
    validationFields: z.record(z.string(), DetailCode),
  }),
});

export const LAYOUTS = ["reply", "kickback"] as const;
export type LayoutName = (typeof LAYOUTS)[number];
export const LAYOUT_SOURCES = ["outcome", "ec", "pid", "mode", "sod", "total", "job", "acid", "actp", "acdc", "acst", "acnd", "member"] as const;
export type LayoutSource = (typeof LAYOUT_SOURCES)[number];
/** `recurring`: emitted only in results about an auto-billing; `member`: only in results that name
 *  a member (job=CHECK). Other replies keep their field set. */
export const LAYOUT_CONDITIONS = ["recurring", "member"] as const;
export type LayoutCondition = (typeof LAYOUT_CONDITIONS)[number];

const LayoutFieldSchema = z.strictObject({
  name: ParamName,
  from: z.enum(LAYOUT_SOURCES),
  when: z.enum(LAYOUT_CONDITIONS).optional(),
  source: z.string().optional(),
});
const LayoutSchema = z.strictObject({ note: Note, fields: z.array(LayoutFieldSchema).min(1) });
const ApValue = z.union([z.strictObject({ value: z.string() }), z.strictObject({ from: z.literal("pid") })]);

export const LayoutFileSchema = z.strictObject({
  note: Note,
  rst: z.strictObject({ note: Note, success: Text, failure: Text, pending: Text }),
  ap: z.strictObject({ note: Note, test: ApValue, live: ApValue }),
  reply: LayoutSchema,
  kickback: LayoutSchema,
});

export type ParamsFile = z.infer<typeof ParamsFileSchema>;
export type ServicesFile = z.infer<typeof ServicesFileSchema>;
export type OperationsFile = z.infer<typeof OperationsFileSchema>;
export type FieldsFile = z.infer<typeof FieldsFileSchema>;
export type StatusesFile = z.infer<typeof StatusesFileSchema>;
export type ErrorsFile = z.infer<typeof ErrorsFileSchema>;
export type LayoutFile = z.infer<typeof LayoutFileSchema>;
