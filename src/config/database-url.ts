/**
 * What DATABASE_URL may be, checked with the rest of the configuration so its problems are in the
 * all-at-once list. Also how to show it in a log line or an error: never with its password.
 */

/** A problem with the URL, or undefined when it is usable. */
export function databaseUrlProblem(url: string): string | undefined {
  if (url.startsWith("sqlite:")) {
    const path = url.replace(/^sqlite:(\/\/)?/, "");
    if (path === "") return "sqlite: needs a file path, e.g. sqlite:./data/gateway.sqlite (an empty path silently opens a temporary database)";
    if (path === ":memory:") return "an in-memory database loses every payment and kickback at restart; use a file path";
    return undefined;
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    try {
      const u = new URL(url);
      return u.hostname === "" && !u.searchParams.has("host") ? "postgres URL needs a host" : undefined;
    } catch {
      return "not a valid postgres:// URL";
    }
  }
  return "must start with sqlite:, postgres:// or postgresql://";
}

/** The URL with any password replaced, for logs and error messages. */
export function redactDatabaseUrl(url: string): string {
  if (!/^postgres(ql)?:\/\//.test(url)) return url;
  try {
    const u = new URL(url);
    if (u.password !== "") u.password = "***";
    for (const key of [...u.searchParams.keys()]) if (/pass/i.test(key)) u.searchParams.set(key, "***");
    return u.toString();
  } catch {
    return "postgres://(unparseable)";
  }
}
