import { HttpException } from '@nestjs/common';
import { CodeWithStatus, ERROR_CODES, ErrorCode, FixedStatusCode, statusOf } from './error-codes';

export interface ErrorBody {
  statusCode: number;
  code: ErrorCode;
  message: string;
  details?: unknown;
}

// (status, code) pairs as the catalogue has them: a code sent with another status does not compile.
type AppErrorArgs = {
  [C in FixedStatusCode]: [
    status: (typeof ERROR_CODES)[C]['status'],
    code: C,
    message?: string | undefined,
    details?: unknown,
  ];
}[FixedStatusCode];

/**
 * A business error: a stable upper-snake `code` for programs and a zh-CN `message` for people (the catalogue's
 * default when none is given). Codes come from src/common/error-codes.ts only; clients (tills, ID-card kiosks)
 * branch on `code`, so codes never change once published.
 */
export class AppError extends HttpException {
  readonly code: ErrorCode;
  readonly details?: unknown;

  constructor(...args: AppErrorArgs) {
    const [status, code, message = ERROR_CODES[code].message, details] = args;
    super(
      { statusCode: status, code, message, ...(details === undefined ? {} : { details }) } satisfies ErrorBody,
      status,
    );
    this.code = code;
    this.details = details;
  }
}

// The helpers take only codes the catalogue sends with their status.
const make = (code: FixedStatusCode, message?: string, details?: unknown): AppError =>
  new AppError(...([statusOf(code), code, message, details] as AppErrorArgs));

export const notFound = (code: CodeWithStatus<404>, message?: string): AppError => make(code, message);
export const forbidden = (message?: string, code: CodeWithStatus<403> = 'FORBIDDEN'): AppError => make(code, message);
export const badRequest = (code: CodeWithStatus<400>, message?: string, details?: unknown): AppError =>
  make(code, message, details);
export const conflict = (code: CodeWithStatus<409>, message?: string, details?: unknown): AppError =>
  make(code, message, details);
