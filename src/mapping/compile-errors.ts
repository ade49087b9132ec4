/**
 * Compiles mappings/errors.yaml: checks the key set equals GATEWAY_ERROR_KEYS, that every
 * referenced detail code is documented, and that gateway-defined codes have their own visible
 * shape ("G" + 2 letters + 3 digits) while old-system codes never start with "G".
 */
import { GATEWAY_ERROR_KEYS, isGatewayErrorKey, type GatewayErrorKey } from "./legacy-failure";
import type { ProblemSink } from "./mapping-problem";
import type { ErrorsFile } from "./mapping-schema";
import type { CodeInfo, CompiledErrors } from "./mapping-table";

const GATEWAY_CODE = /^G[A-Z]{2}\d{3}$/;
const DETAIL_CODE = /^[A-Z0-9]{6}$/;
/** The detail part of the success code; no failure may use it. */
const SUCCESS_DETAIL = "000000";

function compileCodes(sink: ProblemSink, file: ErrorsFile): Map<string, CodeInfo> {
  const codes = new Map<string, CodeInfo>();
  for (const [code, c] of Object.entries(file.codes)) {
    if (!DETAIL_CODE.test(code)) sink.add(`codes.${code}`, "a detail code must be 6 characters A-Z/0-9");
    if (code === SUCCESS_DETAIL) sink.add(`codes.${code}`, "000000 is the success detail code");
    if (c.origin === "gateway" && !GATEWAY_CODE.test(code))
      sink.add(`codes.${code}`, "gateway-defined codes must look like G + 2 letters + 3 digits (e.g. GRQ001)");
    if (c.origin === "legacy" && code.startsWith("G")) sink.add(`codes.${code}`, "old-system codes must not start with G (reserved for gateway codes)");
    codes.set(code, { origin: c.origin, messageJa: c.ja, messageEn: c.en });
  }
  return codes;
}

function compileKeys(sink: ProblemSink, file: ErrorsFile, documented: (path: string, code: string) => void) {
  const { note: _note, ...raw } = file.keys;
  const keys: Partial<Record<GatewayErrorKey, string>> = {};
  for (const [k, code] of Object.entries(raw)) {
    if (!isGatewayErrorKey(k)) {
      sink.add(`keys.${k}`, `unknown gateway error key "${k}"`);
      continue;
    }
    documented(`keys.${k}`, code);
    keys[k] = code;
  }
  // Validated boundary: every key is filled below; with a missing key the table is discarded.
  const full = {} as Record<GatewayErrorKey, string>;
  for (const k of GATEWAY_ERROR_KEYS) {
    const code = keys[k];
    if (code === undefined) sink.add("keys", `missing gateway error key "${k}"`);
    full[k] = code ?? "";
  }
  return full;
}

export function compileErrors(sink: ProblemSink, file: ErrorsFile): CompiledErrors {
  const codes = compileCodes(sink, file);
  const documented = (path: string, code: string) => {
    if (!codes.has(code)) sink.add(path, `detail code "${code}" is not documented under codes`);
  };
  const keys = compileKeys(sink, file, documented);
  const paymentCodes = new Map<number, string>();
  for (const [n, code] of Object.entries(file.paymentErrors.codes)) {
    if (!/^\d+$/.test(n)) sink.add(`paymentErrors.codes.${n}`, "a payment error code must be a number");
    documented(`paymentErrors.codes.${n}`, code);
    paymentCodes.set(Number(n), code);
  }
  const apiCodes = new Map<string, string>();
  for (const [name, code] of Object.entries(file.apiErrors.codes)) {
    if (!/^[A-Z0-9_]+$/.test(name)) sink.add(`apiErrors.codes.${name}`, "an API error code must be UPPER_SNAKE");
    documented(`apiErrors.codes.${name}`, code);
    apiCodes.set(name, code);
  }
  const validationFields = new Map<string, string>();
  for (const [field, code] of Object.entries(file.apiErrors.validationFields)) {
    documented(`apiErrors.validationFields.${field}`, code);
    validationFields.set(field, code);
  }
  return {
    prefix: file.prefix.value,
    codes,
    keys,
    paymentDefault: file.paymentErrors.default,
    paymentCodes,
    apiDefault: file.apiErrors.default,
    apiCodes,
    validationFields,
  };
}
