import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { databaseOptions } from '../../src/database/database-options';
import { assertTestDatabase } from './env';
import { freePort } from './redis-server';

const run = promisify(execFile);
const BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

/**
 * A throwaway PostgreSQL cluster of the test's own (initdb in a temp folder, random port), for tests that stop and
 * start the server under a running app. Never the shared server. As root, runs as the postgres user (initdb refuses
 * root), like scripts/services.sh.
 */
export class ScratchPostgres {
  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async create(): Promise<ScratchPostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'hc-scratch-pg-'));
    const pg = new ScratchPostgres(await freePort(), dir);
    if (process.getuid?.() === 0) {
      const { stdout } = await run('id', ['-u', 'postgres']);
      const { stdout: gid } = await run('id', ['-g', 'postgres']);
      chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
    }
    await pg.pg('initdb', ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '--encoding=UTF8']);
    await pg.start();
    return pg;
  }

  url(database: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** A database with every migration applied. */
  async createDatabase(name: string): Promise<string> {
    const admin = new Client({ connectionString: this.url('postgres') });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${name}`);
    } finally {
      await admin.end();
    }
    const ds = new DataSource(databaseOptions(this.url(name), { poolSize: 1, applicationName: 'test-migrations' }));
    await ds.initialize();
    try {
      await assertTestDatabase(ds);
      await ds.runMigrations({ transaction: 'each' });
    } finally {
      await ds.destroy();
    }
    return this.url(name);
  }

  async start(): Promise<void> {
    await this.pg('pg_ctl', [
      '-D',
      join(this.dir, 'data'),
      '-l',
      join(this.dir, 'postgres.log'),
      '-w',
      '-t',
      '60',
      '-o',
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      'start',
    ]);
  }

  /** A fast shutdown: backends are terminated (57P01), new connections refused. */
  async stop(): Promise<void> {
    await this.pg('pg_ctl', ['-D', join(this.dir, 'data'), '-m', 'fast', '-w', 'stop']);
  }

  async destroy(): Promise<void> {
    await this.stop().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async pg(bin: string, args: string[]): Promise<void> {
    const path = join(BIN, bin);
    // From / : the postgres user may not be allowed into the project folder.
    if (process.getuid?.() === 0) await run('runuser', ['-u', 'postgres', '--', path, ...args], { cwd: '/' });
    else await run(path, args);
  }
}
