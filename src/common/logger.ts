import { LoggerService } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino, { DestinationStream, Logger as Pino } from 'pino';
import pinoHttp, { HttpLogger } from 'pino-http';
import { prettyStream } from './pretty-log';
import { redactDeep, redactIdNumbers, redactUrl } from './redact';

export const PINO = Symbol('PINO');

const maskedError = (err: Error): unknown => redactDeep(pino.stdSerializers.err(err));

/**
 * Structured JSON logs (pino). Secrets are removed, ID numbers masked, in every line. `pretty` re-renders each line
 * for a person at a terminal (src/common/pretty-log.ts); a given `stream` (tests) always gets JSON.
 */
export function createPino(level: string, stream?: DestinationStream, pretty = false): Pino {
  const options: pino.LoggerOptions = {
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.idNumber', '*.accessToken'],
      censor: '[redacted]',
    },
    // Errors are serialized after the formatter has run: mask their message and stack on their own.
    serializers: { err: maskedError },
    formatters: { log: (obj: Record<string, unknown>) => redactDeep(obj) as Record<string, unknown> },
    hooks: {
      logMethod(this: Pino, args: Parameters<pino.LogFn>, method: pino.LogFn) {
        const masked = args.map((a: unknown) => (typeof a === 'string' ? redactIdNumbers(a) : a));
        method.apply(this, masked as Parameters<pino.LogFn>);
      },
    },
  };
  if (stream) return pino(options, stream);
  return pretty ? pino(options, prettyStream(process.stdout)) : pino(options);
}

/**
 * One log line per request, as Express middleware. Deliberately not nestjs-pino: its AsyncLocalStorage turns on
 * Node's promise hooks for every await of every request, which cost the till about 15% of its throughput.
 */
export function httpLogger(logger: Pino): HttpLogger {
  return pinoHttp({
    logger,
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
      err: maskedError,
      res: (res: { statusCode: number | null; raw?: ServerResponse }) => ({
        statusCode: res.raw?.statusCode ?? res.statusCode,
      }),
    },
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
      err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    autoLogging: { ignore: (req: IncomingMessage) => (req.url ?? '').startsWith('/api/health') },
  });
}

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

// Nest's start-up chatter (a line per module and per route, ~60 in all): debug, so that at info a start is a few lines.
const START_UP_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory']);

/** Nest's logger interface on top of pino: `{ context, msg }` lines like the rest. */
export class AppLogger implements LoggerService {
  constructor(private readonly pino: Pino) {}

  log(message: unknown, ...rest: unknown[]): void {
    const context = rest.at(-1);
    this.write(typeof context === 'string' && START_UP_CONTEXTS.has(context) ? 'debug' : 'info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: Level, message: unknown, rest: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const args = [...rest];
    const context = typeof args.at(-1) === 'string' ? (args.pop() as string) : undefined;
    // Nest passes error(message, stack, context).
    const stack = level === 'error' && typeof args[0] === 'string' ? args[0] : undefined;
    if (message instanceof Error) this.pino[level]({ context, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) this.pino[level]({ context, ...message });
    else this.pino[level]({ context, ...(stack ? { stack } : {}) }, String(message));
  }
}
