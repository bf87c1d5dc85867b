// The OpenAPI side of answers every route shares: the one error body, the error responses of a route by code, and
// the Retry-After header of 429 and 503 (docs/API.md "Errors"). Response schemas come from DTO classes only.
import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ERROR_CODES, ErrorCode } from './error-codes';

/** `{ statusCode, code, message }`: every error this API sends, whatever the route (src/common/http-exception.filter.ts). */
export class ErrorBodyDto {
  @ApiProperty({ type: 'integer', example: 400, description: 'the HTTP status again' })
  statusCode!: number;

  @ApiProperty({
    enum: Object.keys(ERROR_CODES),
    enumName: 'ErrorCode',
    description: 'stable, upper snake case: branch on it; never renamed once published (docs/API.md)',
  })
  code!: ErrorCode;

  @ApiProperty({ example: '请求参数有误', description: 'for people, in zh-CN; may change wording at any time' })
  message!: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'more about some errors (VALIDATION_FAILED: the fields), shape per code',
  })
  details?: unknown;
}

/** Seconds a client should wait before it retries: sent with every 429 and 503. */
export const RETRY_AFTER_HEADER = {
  'Retry-After': {
    description: 'seconds to wait before retrying (retry a recording with the same Idempotency-Key)',
    schema: { type: 'integer', minimum: 1 },
    required: true,
  },
} as const;

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad request',
  401: 'Not logged in',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  413: 'Too large',
  415: 'Unsupported media type',
  422: 'Unprocessable',
  429: 'Too many requests',
  503: 'Unavailable',
};

/** The error responses of one status: the shared body with `code` limited to the codes listed. */
export function errorResponse(status: number, codes: readonly ErrorCode[]) {
  return {
    status,
    description: `${STATUS_TEXT[status] ?? 'Error'}: ${codes.join(', ')}`,
    ...(status === 429 || status === 503 ? { headers: RETRY_AFTER_HEADER } : {}),
    schema: {
      allOf: [{ $ref: getSchemaPath(ErrorBodyDto) }, { properties: { code: { enum: [...codes] } } }],
    },
  };
}

/**
 * The error codes a route may answer besides the ones every route may (configureApp adds those: 400 refused input,
 * 401 without a valid session, 403 ROLE_FORBIDDEN on routes limited to roles, 503 DATABASE_UNAVAILABLE). Each code
 * goes under the status the catalogue gives it; the contract test (test/contract.e2e-spec.ts) calls each status.
 */
export function ApiErrors(...codes: ErrorCode[]): MethodDecorator & ClassDecorator {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = ERROR_CODES[code].status;
    if (status === null) throw new Error(`${code} has no fixed status`);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return applyDecorators(
    ApiExtraModels(ErrorBodyDto),
    ...[...byStatus].map(([status, list]) => ApiResponse(errorResponse(status, list))),
  );
}
