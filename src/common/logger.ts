import { RequestMethod } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { randomUUID } from 'node:crypto';
import { redactDeep, redactIdNumbers, redactUrl } from './redact';

/** Structured JSON logs (pino). Secrets are removed, ID numbers masked, in every line. */
export function loggerParams(level: string, stream?: DestinationStream): Params {
  const options = {
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.idNumber', '*.accessToken'],
      censor: '[redacted]',
    },
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const incoming = req.headers['x-request-id'];
      const id = typeof incoming === 'string' && /^[\w-]{1,64}$/.test(incoming) ? incoming : randomUUID();
      res.setHeader('x-request-id', id);
      return id;
    },
    serializers: {
      req: (req: { id: unknown; method: string; url: string; remoteAddress?: string }) => ({
        id: req.id,
        method: req.method,
        url: redactUrl(req.url),
        remoteAddress: req.remoteAddress,
      }),
      res: (res: { statusCode: number | null; raw?: ServerResponse }) => ({
        statusCode: res.raw?.statusCode ?? res.statusCode,
      }),
    },
    formatters: { log: (obj: Record<string, unknown>) => redactDeep(obj) as Record<string, unknown> },
    hooks: {
      logMethod(this: unknown, args: unknown[], method: (...a: unknown[]) => void) {
        method.apply(
          this,
          args.map((a) => (typeof a === 'string' ? redactIdNumbers(a) : a)),
        );
      },
    },
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
      err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    autoLogging: { ignore: (req: IncomingMessage) => (req.url ?? '').startsWith('/api/health') },
  };
  return {
    pinoHttp: stream ? [options, stream] : options,
    // Nest 11 route syntax; nestjs-pino's default '*' logs a deprecation warning at every start.
    forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
  } as Params;
}
