import { HttpException, HttpStatus } from '@nestjs/common';

export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  details?: unknown;
}

/**
 * A business error: a stable upper-snake `code` for programs and a zh-CN `message` for people.
 * Clients (tills, ID-card kiosks) branch on `code`, so codes never change once published.
 */
export class AppError extends HttpException {
  constructor(
    status: HttpStatus,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(
      { statusCode: status, code, message, ...(details === undefined ? {} : { details }) } satisfies ErrorBody,
      status,
    );
  }
}

export const notFound = (code: string, message: string): AppError => new AppError(HttpStatus.NOT_FOUND, code, message);
export const forbidden = (message = '无权访问该数据', code = 'FORBIDDEN'): AppError =>
  new AppError(HttpStatus.FORBIDDEN, code, message);
export const badRequest = (code: string, message: string, details?: unknown): AppError =>
  new AppError(HttpStatus.BAD_REQUEST, code, message, details);
export const conflict = (code: string, message: string, details?: unknown): AppError =>
  new AppError(HttpStatus.CONFLICT, code, message, details);
