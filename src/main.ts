import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import cluster from 'node:cluster';
import { AppModule } from './app.module';
import { AppLogger } from './common/logger';
import { AppConfig, ConfigValidationError, loadConfig } from './config/app-config';
import { configureApp } from './configure-app';

async function serve(config: AppConfig): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { bufferLogs: true });
  configureApp(app);
  await app.listen(config.PORT);
  if (cluster.isPrimary || cluster.worker?.id === 1) {
    const url = `http://localhost:${config.PORT}`;
    app.get(AppLogger).log(`幸福食堂 API ready: ${url}/ (till ${url}/till, API docs ${url}/api/docs)`, 'Bootstrap');
  }
}

/** API_PROCESSES > 1: a primary forks that many HTTP processes sharing the port, and passes SIGTERM on. */
function supervise(count: number): void {
  let stopping = false;
  const fork = (): void => {
    cluster.fork();
  };
  for (let i = 0; i < count; i++) fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    process.stderr.write(`API process ${worker.process.pid} exited (${signal ?? code}); starting another\n`);
    setTimeout(fork, 1_000);
  });
  const stop = (): void => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

function main(): void {
  const config = loadConfig();
  if (cluster.isPrimary && config.API_PROCESSES > 1) return supervise(config.API_PROCESSES);
  serve(config).catch((err: unknown) => {
    process.stderr.write(`启动失败 (start-up failed): ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}

try {
  main();
} catch (err) {
  process.stderr.write(
    err instanceof ConfigValidationError ? `${err.message}\n` : `启动失败 (start-up failed): ${String(err)}\n`,
  );
  process.exit(1);
}
