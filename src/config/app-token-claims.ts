/**
 * Reads the claims of a UnivaPay app token (a JWT) without verifying its signature: only UnivaPay
 * can, and does, when the token is used. We read the claims to catch a configuration that can
 * only go wrong: a live token declared `mode: test`, or a token of another store.
 */
import { z } from "zod";

const ClaimsSchema = z.looseObject({
  mode: z.string().optional(),
  store_id: z.string().optional(),
});

export type AppTokenClaims = z.infer<typeof ClaimsSchema>;

/** The claims, or undefined when the value is not a JWT with a JSON object payload. */
export function readAppTokenClaims(appToken: string): AppTokenClaims | undefined {
  const parts = appToken.split(".");
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const r = ClaimsSchema.safeParse(JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}
