import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import express from 'express';
import { join } from 'node:path';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { securityHeaders } from './common/security-headers';
import { AppConfig, trustProxyValue } from './config/app-config';
import { AppLogger, httpLogger, PINO } from './common/logger';
import { createValidationPipe, InputGuardPipe } from './common/validation';
import { buildApiDocument } from './openapi';

/** Everything main.ts and the e2e tests share: prefix, pipes, filter, OpenAPI, pages. */
export function configureApp(app: NestExpressApplication): void {
  const config = app.get(AppConfig);
  app.disable('x-powered-by');
  app.use(securityHeaders);
  app.useLogger(app.get(AppLogger));
  app.use(httpLogger(app.get(PINO)));
  app.setGlobalPrefix('api');
  app.useGlobalPipes(new InputGuardPipe(), createValidationPipe());
  app.useGlobalFilters(new HttpExceptionFilter());
  app.enableShutdownHooks();
  // Which hops may name the client in X-Forwarded-For (the per-address login limit and the audit log use it).
  app.set('trust proxy', trustProxyValue(config.TRUST_PROXY));
  app.useBodyParser('json', { limit: '1mb' });
  // The pages, outside /api only: serve-static would otherwise stat() the disk on every API request.
  const pages = express.static(join(__dirname, 'web'), { index: 'index.html', maxAge: 0 });
  app.use((req: express.Request, res: express.Response, next: express.NextFunction): void => {
    if (req.url.startsWith('/api/')) next();
    else pages(req, res, next);
  });
  if (config.API_DOCS === 'off') return;
  const document = buildApiDocument(app);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
}
