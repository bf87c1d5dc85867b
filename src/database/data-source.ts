// The DataSource for the TypeORM CLI: npm run migration:generate|run|revert.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { databaseOptions } from './database-options';

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:54329/happy_canteen';
export default new DataSource(databaseOptions(url, { poolSize: 2, applicationName: 'happy-canteen-cli' }));
