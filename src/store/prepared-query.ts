/**
 * Hot statements, compiled once per dialect instead of rebuilt on every call. Kysely's builder
 * and compiler (frozen operation nodes, a visitor, a fresh SQL string each time) cost about as
 * much CPU as SQLite itself on the payment path (bench --profile), for SQL that never changes.
 *
 * A statement is still written with the typed builder, with named placeholders (`p("pid")`) where
 * the values go. The first run on a dialect compiles it and records which parameter slot each
 * placeholder landed in; every run then fills the slots and executes the same SQL text through
 * the caller's Kysely handle, so transactions and SQLite's single-connection mutex still apply,
 * and the SQL text (the statement cache's key) is one string object whose hash V8 keeps.
 */
import { CompiledQuery, type Compilable, type Kysely, type QueryResult } from "kysely";
import type { Database, Dialect } from "./db-schema";
import { namedStatement } from "./pg-named-statements";
import type { QueryContext } from "./query-context";

/** NUL cannot occur in a real value (PostgreSQL TEXT refuses it), so a marker never collides. */
const MARK = "\u0000kysely-placeholder:";

/** Names a value slot: typed as the value it stands for, so the builder type-checks as usual. */
export type Placeholder<A> = <K extends keyof A & string>(name: K) => A[K];

type Slot = { readonly name: string } | { readonly value: unknown };

interface Compiled {
  readonly sql: string;
  readonly slots: readonly Slot[];
}

export interface PreparedQuery<A, R> {
  /** Executes with `args` on ctx.db (the store or an open transaction). */
  run(ctx: Pick<QueryContext, "db" | "dialect">, args: A): Promise<QueryResult<R>>;
  /** The compiled SQL and its parameter slots (for tests and --sql-timing). */
  compiled(ctx: Pick<QueryContext, "db" | "dialect">): { readonly sql: string; readonly slots: readonly Slot[] };
}

/**
 * `build` must produce the same statement shape whatever the argument values are: everything
 * that varies goes through `p(name)`. A shape that depends on arguments needs one PreparedQuery
 * per shape (see preparedByShape).
 */
export function prepareQuery<A extends object, R>(build: (db: Kysely<Database>, p: Placeholder<A>, dialect: Dialect) => Compilable<R>): PreparedQuery<A, R> {
  const byDialect = new Map<Dialect, Compiled>();
  const compiledFor = (ctx: Pick<QueryContext, "db" | "dialect">): Compiled => {
    let c = byDialect.get(ctx.dialect);
    if (!c) {
      c = compile(build(ctx.db, ((name: string) => `${MARK}${name}`) as Placeholder<A>, ctx.dialect));
      if (ctx.dialect === "postgres") namedStatement(c.sql);
      byDialect.set(ctx.dialect, c);
    }
    return c;
  };
  return {
    compiled: compiledFor,
    run(ctx, args) {
      const c = compiledFor(ctx);
      const values = args as Record<string, unknown>;
      const parameters = c.slots.map((s) => ("name" in s ? values[s.name] : s.value));
      return ctx.db.executeQuery(CompiledQuery.raw(c.sql, parameters)) as Promise<QueryResult<R>>;
    },
  };
}

function compile(q: Compilable<unknown>): Compiled {
  const { sql, parameters } = q.compile();
  // A placeholder that Kysely inlined into the SQL text (instead of binding it) would be a bug.
  if (sql.includes(MARK)) throw new Error(`prepared query inlined a placeholder: ${sql.replaceAll(MARK, ":")}`);
  const slots = parameters.map((v): Slot => (typeof v === "string" && v.startsWith(MARK) ? { name: v.slice(MARK.length) } : { value: v }));
  return { sql, slots };
}

/**
 * For statements whose shape depends on the arguments (which columns a patch sets, which outcome
 * an update records): one PreparedQuery per shape key, made on first use. Shape keys must come
 * from a small fixed set (column names, enum values), never from data.
 */
export function preparedByShape<S extends string, A extends object, R>(make: (shape: S) => PreparedQuery<A, R>): (shape: S) => PreparedQuery<A, R> {
  const cache = new Map<S, PreparedQuery<A, R>>();
  return (shape) => {
    let q = cache.get(shape);
    if (!q) {
      q = make(shape);
      cache.set(shape, q);
    }
    return q;
  };
}
