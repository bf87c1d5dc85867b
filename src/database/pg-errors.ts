// Recognising PostgreSQL's errors, whether node-postgres raised them (a DatabaseError with the server's fields) or
// TypeORM wrapped them (QueryFailedError, the original as `driverError`).

/** SQLSTATE unique_violation (PostgreSQL manual, appendix A). */
export const PG_UNIQUE_VIOLATION = '23505';
/** SQLSTATE foreign_key_violation. */
export const PG_FOREIGN_KEY_VIOLATION = '23503';

interface PgErrorFields {
  code?: unknown;
  constraint?: unknown;
}

/** The server's fields of a PostgreSQL error, or null when `e` is none. */
export function pgErrorFields(e: unknown): { code: string; constraint: string | undefined } | null {
  if (typeof e !== 'object' || e === null) return null;
  const driver = (e as { driverError?: unknown }).driverError;
  const f = (typeof driver === 'object' && driver !== null ? driver : e) as PgErrorFields;
  if (typeof f.code !== 'string') return null;
  return { code: f.code, constraint: typeof f.constraint === 'string' ? f.constraint : undefined };
}

/** A unique violation, of that constraint (or unique index) when one is named. */
export function isUniqueViolation(e: unknown, constraint?: string): boolean {
  const f = pgErrorFields(e);
  return f !== null && f.code === PG_UNIQUE_VIOLATION && (constraint === undefined || f.constraint === constraint);
}
