import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ConfigValidationError, loadConfig } from './config/app-config';
import { WorkerModule } from './worker.module';
import { AppLogger } from './common/logger';

// The BullMQ worker entry: same modules, no HTTP listener. SIGTERM lets running jobs finish.
async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: true });
  const logger = app.get(AppLogger);
  app.useLogger(logger);
  app.enableShutdownHooks();
  await app.init();
  logger.log('幸福食堂 worker ready', 'Bootstrap');
}

bootstrap().catch((err: unknown) => {
  if (err instanceof ConfigValidationError) process.stderr.write(`${err.message}\n`);
  else process.stderr.write(`启动失败 (start-up failed): ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
