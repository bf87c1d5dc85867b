import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { ConfigValidationError, loadConfig } from './config/app-config';
import { configureApp } from './configure-app';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { bufferLogs: true });
  configureApp(app);
  await app.listen(config.PORT);
  const url = `http://localhost:${config.PORT}`;
  process.stdout.write(`\n  幸福食堂 API ready: ${url}/  (till ${url}/till.html, API docs ${url}/api/docs)\n\n`);
}

bootstrap().catch((err: unknown) => {
  if (err instanceof ConfigValidationError) {
    process.stderr.write(`${err.message}\n`);
  } else {
    process.stderr.write(`启动失败 (start-up failed): ${err instanceof Error ? err.message : String(err)}\n`);
  }
  process.exit(1);
});
