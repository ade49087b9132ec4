/**
 * The values a rule may take from the gateway instead of the request (`context:` in
 * mappings/fields.yaml): what the gateway knows when it builds a UnivaPay body — the pid it
 * minted, the merchant's sid, the payment's amount and currency. Constants only.
 */
export const CONTEXT_VALUES = ["pid", "sid", "amount", "currency"] as const;
export type ContextValue = (typeof CONTEXT_VALUES)[number];

export function isContextValue(s: string): s is ContextValue {
  return (CONTEXT_VALUES as readonly string[]).includes(s);
}
