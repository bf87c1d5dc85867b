import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { DestinationStream } from 'pino';
import { AppConfig } from '../../src/config/app-config';
import { WorkerModule } from '../../src/worker.module';

export interface TestWorker {
  app: INestApplicationContext;
  close: () => Promise<void>;
}

/** The BullMQ worker in process, on the same config as the test app: same database, same queue prefix. */
export async function startTestWorker(
  config: AppConfig,
  options: { logStream?: DestinationStream } = {},
): Promise<TestWorker> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, options), { logger: false });
  await app.init();
  return { app, close: () => app.close() };
}

/** The config as environment variables, for a worker run as a child process. */
function configEnv(config: AppConfig): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    if (value !== undefined && value !== null) env[key] = String(value);
  }
  return env;
}

export interface ChildWorker {
  proc: ChildProcess;
  output: () => string;
  /** Resolves once the worker printed that it is ready. */
  ready: Promise<void>;
  kill: (signal: NodeJS.Signals) => Promise<void>;
}

/** `node -r ts-node/register src/worker.ts`: a real worker process, to SIGKILL mid-job. */
export function spawnWorker(config: AppConfig, extraEnv: Record<string, string> = {}): ChildWorker {
  const root = join(__dirname, '..', '..');
  const proc = spawn(process.execPath, ['-r', 'ts-node/register', 'src/worker.ts'], {
    cwd: root,
    // At info: readiness is the worker's 'worker ready' log line.
    env: { ...process.env, ...configEnv(config), LOG_LEVEL: 'info', TS_NODE_TRANSPILE_ONLY: '1', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      out += chunk.toString('utf8');
      if (out.includes('worker ready')) resolve();
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    proc.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready:\n${out}`)));
  });
  ready.catch(() => undefined);
  return {
    proc,
    output: () => out,
    ready,
    kill: (signal) =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill(signal);
      }),
  };
}
