/**
 * Diagnostic (bench --sql-timing): times every SQL statement the gateway runs, grouped by SQL
 * text, by wrapping the drivers' prototypes in the gateway child before the store opens. For
 * SQLite the time is the synchronous call (it blocks the event loop); for PostgreSQL it is the
 * round trip (pool wait included). Never enabled in measured figures by default: it adds overhead.
 */
import BetterSqlite3 from "better-sqlite3";
import { Client } from "pg";

export interface SqlStat {
  readonly sql: string;
  readonly calls: number;
  readonly totalMs: number;
  readonly meanMs: number;
}

const stats = new Map<string, { calls: number; totalMs: number }>();

function record(sql: string, ms: number): void {
  const key = sql.replace(/\s+/g, " ").slice(0, 200);
  const s = stats.get(key) ?? { calls: 0, totalMs: 0 };
  s.calls++;
  s.totalMs += ms;
  stats.set(key, s);
}

type Fn = (...args: unknown[]) => unknown;

function timed(sql: string, fn: Fn, self: unknown): Fn {
  return (...args) => {
    const t = performance.now();
    try {
      return fn.apply(self, args);
    } finally {
      record(sql, performance.now() - t);
    }
  };
}

export function enableSqlTiming(): void {
  const proto = BetterSqlite3.prototype as unknown as { prepare: (sql: string) => Record<string, Fn> };
  const prepare = proto.prepare;
  proto.prepare = function (this: unknown, sql: string) {
    const stmt = prepare.call(this, sql);
    for (const m of ["run", "all", "get"] as const) {
      const orig = stmt[m];
      if (orig) stmt[m] = timed(sql, orig, stmt);
    }
    return stmt;
  };
  const pgProto = Client.prototype as unknown as { query: Fn };
  const query = pgProto.query;
  pgProto.query = function (this: unknown, ...args: unknown[]) {
    const sql = typeof args[0] === "string" ? args[0] : "(query object)";
    const t = performance.now();
    const out = query.apply(this, args);
    if (out instanceof Promise) void out.finally(() => record(sql, performance.now() - t)).catch(() => undefined);
    return out;
  };
}

export function sqlStats(top = 20): SqlStat[] {
  return [...stats.entries()]
    .map(([sql, s]) => ({ sql, calls: s.calls, totalMs: Math.round(s.totalMs), meanMs: Math.round((s.totalMs / s.calls) * 1000) / 1000 }))
    .sort((a, b) => b.totalMs - a.totalMs)
    .slice(0, top);
}
