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
    // body-parser errors reach us as plain errors with a status.
    const err = exception as { status?: number; type?: string };
    if (err?.type === 'entity.parse.failed')
      return { statusCode: 400, code: 'INVALID_JSON', message: '请求内容不是有效的 JSON' };
    if (err?.type === 'entity.too.large')
      return { statusCode: 413, code: 'PAYLOAD_TOO_LARGE', message: '上传内容过大' };
    return {
      statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
      code: 'INTERNAL_ERROR',
      message: '服务器内部错误，请稍后重试',
    };
  }
}
