import { DatabaseError } from 'pg';
import { QueryFailedError } from 'typeorm';
import { isUniqueViolation, PG_FOREIGN_KEY_VIOLATION, PG_UNIQUE_VIOLATION, pgErrorFields } from './pg-errors';

// What node-postgres builds from PostgreSQL's ErrorResponse (pg-protocol's parser sets these fields).
function pgError(code: string, constraint: string | undefined, message: string): DatabaseError {
  const e = new DatabaseError(message, message.length, 'error');
  e.severity = 'ERROR';
  e.code = code;
  e.constraint = constraint;
  e.table = 'users';
  e.detail = 'Key (username)=(alice) already exists.';
  return e;
}

const duplicate = pgError(
  PG_UNIQUE_VIOLATION,
  'users_username_key',
  'duplicate key value violates unique constraint "users_username_key"',
);
const wrapped = new QueryFailedError('INSERT INTO users …', [], duplicate);

describe(isUniqueViolation.name, () => {
  it('recognises a unique violation from node-postgres and through TypeORM', () => {
    expect(isUniqueViolation(duplicate)).toBe(true);
    expect(isUniqueViolation(wrapped)).toBe(true);
  });

  it('checks the constraint when one is named', () => {
    expect(isUniqueViolation(duplicate, 'users_username_key')).toBe(true);
    expect(isUniqueViolation(wrapped, 'users_username_key')).toBe(true);
    expect(isUniqueViolation(wrapped, 'canteens_subdistrict_id_name_key')).toBe(false);
  });

  it('is false for other errors and for things that are not errors', () => {
    const fk = pgError(PG_FOREIGN_KEY_VIOLATION, 'meals_policy_version_id_fkey', 'violates foreign key constraint');
    expect(isUniqueViolation(fk)).toBe(false);
    expect(isUniqueViolation(new QueryFailedError('DELETE …', [], fk))).toBe(false);
    expect(isUniqueViolation(new Error('23505'))).toBe(false);
    expect(isUniqueViolation(Object.assign(new Error('ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(false);
    expect(isUniqueViolation(null)).toBe(false);
    expect(isUniqueViolation('23505')).toBe(false);
    expect(isUniqueViolation({ code: 23505 })).toBe(false);
  });
});

describe(pgErrorFields.name, () => {
  it('reads the code and constraint PostgreSQL sent', () => {
    expect(pgErrorFields(wrapped)).toEqual({ code: '23505', constraint: 'users_username_key' });
    expect(pgErrorFields(undefined)).toBeNull();
  });
});
