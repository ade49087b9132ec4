/**
 * "The client went away" (reset, broken pipe, aborted upload) is what clients do, not a fault of
 * ours: it is logged at debug level at most, never as an ERROR with a stack.
 */
const GONE_CODES = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED", "ERR_STREAM_PREMATURE_CLOSE", "ECANCELED"]);

export function isClientGone(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const code = "code" in err ? (err as { code?: unknown }).code : undefined;
  if (typeof code === "string" && GONE_CODES.has(code)) return true;
  // IncomingMessage emits a plain Error("aborted") when the client closes mid-body.
  return err instanceof Error && err.message === "aborted";
}
