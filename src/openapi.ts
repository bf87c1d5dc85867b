// The OpenAPI document of /api: built from the controllers and DTO classes, then given the error responses every
// route shares (from the error catalogue), so that each operation lists every status it can answer. The same
// function serves /api/docs, `npm run api:generate` (docs/openapi.json, web/src/api/schema.d.ts) and the contract
// test (test/contract.e2e-spec.ts).
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ErrorBodyDto, errorResponse } from './common/api-responses';
import { ROLES } from './common/enums';
import { ErrorCode } from './common/error-codes';

type Operation = NonNullable<OpenAPIObject['paths'][string]['get']>;
type ResponseObject = Extract<Operation['responses'][string], { description: string }>;

export const API_VERSION = '2.2.0';

const DESCRIPTION = `幸福食堂补贴结算 API (Happy Canteen meal subsidy billing).

- Errors: every error is \`{ statusCode, code, message }\`: branch on the stable \`code\`; \`message\` is zh-CN for people.
  Each operation lists its error statuses and the codes each may carry.
- Timestamps a client sends: RFC 3339 with Z or an offset (T/Z in either case, 0–9 fractional digits), kept to the
  millisecond (finer digits truncated). Timestamps the server sends: RFC 3339 in UTC with milliseconds.
  Dates: YYYY-MM-DD (Shanghai local date). Money: integer fen.
- 429 and 503 carry Retry-After (seconds).
- Lists page alike: \`?page=\` (from 1, default 1) and \`?pageSize=\` (1–200, default 50; \`/diners/register\`: 20) in,
  \`{ items, total, page, pageSize }\` out; \`total\` counts every matching item on all pages, and a page past the end
  answers \`items: []\` with the true \`total\`. A canteen's day of meals may be asked whole (no \`pageSize\`).
- Compatibility promise and changelog: docs/API.md.`;

/** Builds the whole document from a created (not necessarily listening) app. */
export function buildApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('幸福食堂补贴结算 API')
      .setDescription(DESCRIPTION)
      .setVersion(API_VERSION)
      .addBearerAuth()
      .build(),
    { extraModels: [ErrorBodyDto] },
  );
  for (const path of Object.values(document.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const operation = path[method];
      if (operation) addSharedErrors(operation);
    }
  }
  return document;
}

// Refused input on any route with a body or query (src/common/validation.ts, the exception filter).
const INPUT_CODES: ErrorCode[] = ['VALIDATION_FAILED', 'UNKNOWN_FIELD', 'INVALID_CHARACTER', 'NESTING_TOO_DEEP'];
const JSON_BODY_CODES: ErrorCode[] = ['INVALID_JSON', 'INVALID_BODY'];

/** The errors every route of its kind may answer, merged into the route's own (same status: one enum). */
function addSharedErrors(operation: Operation): void {
  const ext = operation as Operation & { 'x-roles'?: string[]; 'x-database'?: boolean };
  const hasBody = operation.requestBody !== undefined;
  const jsonBody = hasBody && JSON.stringify(operation.requestBody).includes('application/json');
  const hasQuery = (operation.parameters ?? []).some((p) => 'in' in p && p.in === 'query');
  const hasPath = (operation.parameters ?? []).some((p) => 'in' in p && p.in === 'path');
  const shared = new Map<number, ErrorCode[]>();
  const add = (status: number, codes: ErrorCode[]): void => {
    shared.set(status, [...(shared.get(status) ?? []), ...codes]);
  };
  if (hasBody || hasQuery) add(400, INPUT_CODES);
  else if (hasPath) add(400, ['INVALID_CHARACTER']);
  if (jsonBody) {
    add(400, JSON_BODY_CODES);
    add(413, ['PAYLOAD_TOO_LARGE']);
    add(415, ['UNSUPPORTED_CHARSET', 'UNSUPPORTED_ENCODING']);
  }
  if ((operation.security ?? []).length > 0) add(401, ['UNAUTHENTICATED', 'SESSION_INVALID']);
  // Limited to some roles (a route open to every role cannot answer ROLE_FORBIDDEN).
  if (ext['x-roles'] !== undefined && ROLES.some((r) => !ext['x-roles']?.includes(r))) add(403, ['ROLE_FORBIDDEN']);
  if (ext['x-database'] !== false) add(503, ['DATABASE_UNAVAILABLE']);
  for (const [status, codes] of shared) {
    const own = operation.responses[status] as ResponseObject | undefined;
    const union = [...new Set([...errorCodesOf(own), ...codes])];
    if (own !== undefined && own.content !== undefined && errorCodesOf(own).length === 0) continue;
    const { description, headers, schema } = errorResponse(status, union as ErrorCode[]);
    operation.responses[status] = { description, headers, content: { 'application/json': { schema } } };
  }
  // Numeric order, so the document reads (and diffs) the same however the decorators were ordered.
  operation.responses = Object.fromEntries(Object.entries(operation.responses).sort(([a], [b]) => a.localeCompare(b)));
}

/** The codes an error response of ours lists (its `code` enum), none for any other response. */
export function errorCodesOf(response: ResponseObject | undefined): string[] {
  const schema = response?.content?.['application/json']?.schema as
    { allOf?: { properties?: { code?: { enum?: string[] } } }[] } | undefined;
  return schema?.allOf?.[1]?.properties?.code?.enum ?? [];
}
