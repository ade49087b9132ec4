/**
 * The read-only view of a parsed legacy request that the mapping engine consumes. The lead's
 * parsed legacy form satisfies it structurally; the engine never parses bytes itself.
 */
export interface ParamSource {
  /** First value of the parameter, undefined when absent. */
  get(name: string): string | undefined;
  /** Every field in request order (names may repeat). */
  readonly fields: ReadonlyArray<{ readonly name: string }>;
}
