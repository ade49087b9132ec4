/** Test helper: a ParamSource over name/value pairs in request order (first value wins). */
import type { ParamSource } from "../../../src/mapping";

export function paramsOf(pairs: Record<string, string> | ReadonlyArray<readonly [string, string]>): ParamSource {
  const list: ReadonlyArray<readonly [string, string]> = Array.isArray(pairs) ? (pairs as ReadonlyArray<readonly [string, string]>) : Object.entries(pairs);
  return {
    get: (name) => list.find(([n]) => n === name)?.[1],
    fields: list.map(([name]) => ({ name })),
  };
}
