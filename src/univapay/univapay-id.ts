/** UnivaPay's resource ids (tokens, charges, subscriptions) are UUIDs; case does not matter. */
export const UNIVAPAY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUnivapayId = (s: string): boolean => UNIVAPAY_ID.test(s);
