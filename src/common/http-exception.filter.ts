import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { ErrorBody } from './app-error';
import { isDatabaseUnavailable } from './database-unavailable';

// How long a till should wait before retrying while PostgreSQL is away (seconds).
export const DATABASE_RETRY_AFTER_S = 5;

const DEFAULT_CODES: Record<number, [string, string]> = {
  400: ['BAD_REQUEST', '请求有误'],
  401: ['UNAUTHENTICATED', '请先登录'],
  403: ['FORBIDDEN', '无权执行此操作'],
  404: ['NOT_FOUND', '请求的资源不存在'],
  405: ['METHOD_NOT_ALLOWED', '不支持该请求方法'],
  409: ['CONFLICT', '数据冲突，请刷新后重试'],
  413: ['PAYLOAD_TOO_LARGE', '上传内容过大'],
  415: ['UNSUPPORTED_MEDIA_TYPE', '不支持的内容类型'],
  422: ['UNPROCESSABLE', '请求无法处理'],
  429: ['TOO_MANY_REQUESTS', '请求过于频繁，请稍后再试'],
  503: ['SERVICE_UNAVAILABLE', '服务暂不可用，请稍后重试'],
};

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
      res.status(HttpStatus.SERVICE_UNAVAILABLE).json({
        statusCode: HttpStatus.SERVICE_UNAVAILABLE,
        code: 'DATABASE_UNAVAILABLE',
        message: '数据库暂时无法连接，请稍后重试',
      } satisfies ErrorBody);
      return;
    }
    const body = this.toBody(exception);
    if (body.statusCode >= 500) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    if (res.headersSent) return;
    res.status(body.statusCode).json(body);
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
        return { statusCode: 400, code: 'INVALID_JSON', message: '请求内容不是有效的 JSON' };
      }
      const [code, message] =
        DEFAULT_CODES[status] ??
        (status >= 500 ? ['INTERNAL_ERROR', '服务器内部错误，请稍后重试'] : ['ERROR', '请求失败']);
      return { statusCode: status, code, message };
    }
    const parserError = bodyParserError(exception);
    if (parserError) return parserError;
    return {
      statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
      code: 'INTERNAL_ERROR',
      message: '服务器内部错误，请稍后重试',
    };
  }
}

// body-parser's refusals (http-errors with a 4xx status and a `type`), each with a stable code.
const BODY_PARSER_CODES: Record<string, [string, string]> = {
  'entity.parse.failed': ['INVALID_JSON', '请求内容不是有效的 JSON'],
  'entity.too.large': ['PAYLOAD_TOO_LARGE', '上传内容过大'],
  'charset.unsupported': ['UNSUPPORTED_CHARSET', '请求内容须为 UTF-8 编码'],
  'encoding.unsupported': ['UNSUPPORTED_ENCODING', '不支持该内容压缩方式'],
  'parameters.too.many': ['TOO_MANY_PARAMETERS', '请求参数过多'],
};

function bodyParserError(exception: unknown): ErrorBody | null {
  const err = exception as { status?: unknown; type?: unknown; expose?: unknown } | null;
  if (typeof err?.status !== 'number' || err.status < 400 || err.status >= 500) return null;
  const known = typeof err.type === 'string' ? BODY_PARSER_CODES[err.type] : undefined;
  // Anything else body-parser refuses (a broken gzip/br body, a body shorter than its length) is a bad request.
  const [code, message] = known ?? ['INVALID_BODY', '请求内容无法读取'];
  return { statusCode: err.status, code, message };
}
