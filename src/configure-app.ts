import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import express from 'express';
import { join, resolve, sep } from 'node:path';
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
  // The web app (web/, built to WEB_DIR), outside /api only: serve-static would otherwise stat() the disk on every
  // API request. Its hashed assets never change; index.html is always asked again. A page address of the app
  // (/till, /operator, …, and the old /till.html) answers index.html, and the app's router shows the page.
  const webDir = resolve(config.WEB_DIR);
  const pages = express.static(webDir, {
    index: false,
    setHeaders: (res, path) =>
      res.setHeader(
        'Cache-Control',
        path.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
      ),
  });
  const indexHtml = join(webDir, 'index.html');
  app.use((req: express.Request, res: express.Response, next: express.NextFunction): void => {
    if (req.url.startsWith('/api/') || req.url === '/api') return next();
    pages(req, res, () => {
      const isPage = (req.method === 'GET' || req.method === 'HEAD') && !/\.(?!html$)[a-z0-9]+$/i.test(req.path);
      if (!isPage) return next();
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(indexHtml, (e?: Error) => {
        if (e) next();
      });
    });
  });
  if (config.API_DOCS === 'off') return;
  const document = buildApiDocument(app);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
}
