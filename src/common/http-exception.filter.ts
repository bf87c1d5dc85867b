import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { ErrorBody } from './app-error';
import { isDatabaseUnavailable } from './database-unavailable';
import { ERROR_CODES, ErrorCode } from './error-codes';

// How long a till should wait before retrying while PostgreSQL is away (seconds).
const DATABASE_RETRY_AFTER_S = 5;

// Retry-After (seconds) of every 429 and 503 (docs/API.md): the login lock-out lasts 15 minutes; a queue outage is
// usually a Redis restart.
const RETRY_AFTER_S: Partial<Record<ErrorCode, number>> = { LOGIN_THROTTLED: 15 * 60, QUEUE_UNAVAILABLE: 10 };
const DEFAULT_RETRY_AFTER_S: Record<number, number> = { 429: 60, 503: DATABASE_RETRY_AFTER_S };

// The code of an HTTP error that carries none of ours (Nest's own exceptions: an unknown route, multer's size limit…).
const DEFAULT_CODES: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
};

const body = (statusCode: number, code: ErrorCode): ErrorBody => ({
  statusCode,
  code,
  message: ERROR_CODES[code].message,
});

/** Every error leaves as `{ statusCode, code, message }` in zh-CN; never a stack trace. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (isDatabaseUnavailable(exception)) {
      // An outage, not a bug: one warning line, and the till is told to retry (with the same Idempotency-Key).
      this.logger.warn(`PostgreSQL unavailable: ${exception instanceof Error ? exception.message : String(exception)}`);
      if (res.headersSent) return;
      res.setHeader('Retry-After', String(DATABASE_RETRY_AFTER_S));
      res.status(HttpStatus.SERVICE_UNAVAILABLE).json(body(HttpStatus.SERVICE_UNAVAILABLE, 'DATABASE_UNAVAILABLE'));
      return;
    }
    const answer = this.toBody(exception);
    if (answer.statusCode >= 500) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    if (res.headersSent) return;
    const retryAfter = RETRY_AFTER_S[answer.code] ?? DEFAULT_RETRY_AFTER_S[answer.statusCode];
    if (retryAfter !== undefined) res.setHeader('Retry-After', String(retryAfter));
    res.status(answer.statusCode).json(answer);
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      if (typeof response === 'object' && response !== null && 'code' in response && 'message' in response) {
        return response as ErrorBody;
      }
      // Nest maps body-parser's SyntaxError to a bare BadRequestException.
      if (status === 400 && /JSON/.test(exception.message)) {
        return body(400, 'INVALID_JSON');
      }
      return body(status, DEFAULT_CODES[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'ERROR'));
    }
    return bodyParserError(exception) ?? body(HttpStatus.INTERNAL_SERVER_ERROR, 'INTERNAL_ERROR');
  }
}

// body-parser's refusals (http-errors with a 4xx status and a `type`), each with a stable code.
const BODY_PARSER_CODES: Record<string, ErrorCode> = {
  'entity.parse.failed': 'INVALID_JSON',
  'entity.too.large': 'PAYLOAD_TOO_LARGE',
  'charset.unsupported': 'UNSUPPORTED_CHARSET',
  'encoding.unsupported': 'UNSUPPORTED_ENCODING',
  'parameters.too.many': 'TOO_MANY_PARAMETERS',
};

function bodyParserError(exception: unknown): ErrorBody | null {
  const err = exception as { status?: unknown; type?: unknown; expose?: unknown } | null;
  if (typeof err?.status !== 'number' || err.status < 400 || err.status >= 500) return null;
  const known = typeof err.type === 'string' ? BODY_PARSER_CODES[err.type] : undefined;
  // Anything else body-parser refuses (a broken gzip/br body, a body shorter than its length) is a bad request.
  return body(err.status, known ?? 'INVALID_BODY');
}
