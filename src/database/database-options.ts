import { join } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';

const MIGRATIONS_GLOB = join(__dirname, '..', '..', 'migrations', '*.{ts,js}');

/** One place for how the app (and the CLI) reach PostgreSQL. `synchronize` is never on. */
export function databaseOptions(
  url: string,
  extra: { poolSize?: number; applicationName?: string } = {},
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: [MIGRATIONS_GLOB],
    migrationsTableName: 'typeorm_migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    poolSize: extra.poolSize ?? 20,
    applicationName: extra.applicationName ?? 'happy-canteen',
    // connectionTimeoutMillis: a request waits at most this long for a connection (also for a free one in the pool),
    // then fails and answers 503 DATABASE_UNAVAILABLE, instead of hanging while PostgreSQL does not answer.
    extra: { statement_timeout: 60_000, connectionTimeoutMillis: 10_000 },
  };
}
