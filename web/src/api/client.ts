// The typed client of /api, for the web app and for integrators writing TypeScript: every path, parameter, body
// and answer (errors included) comes from the generated schema.d.ts, so a changed DTO breaks the build of a page
// instead of the page. Regenerate the schema with `npm run api:generate`; the suite fails while it is stale.
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type { components, paths };

/** `{ statusCode, code, message }`: every error the API answers. Branch on `code`. */
export type ApiError = components['schemas']['ErrorBodyDto'];
export type ErrorCode = ApiError['code'];

export interface ApiClientOptions {
  /** Origin of the server ('' for the page's own origin); paths already start with /api. */
  baseUrl?: string;
  /** The session's access token, read before every request (null or undefined: no Authorization header). */
  token?: () => string | null | undefined;
  /** A fetch to use instead of the global one (tests, a kiosk's own HTTP stack). */
  fetch?: (input: Request) => Promise<Response>;
}

export type ApiClient = Client<paths>;

/** A client of /api that sends `Authorization: Bearer <token>` whenever `token()` has one. */
export function createApiClient(options: ApiClientOptions = {}): ApiClient {
  const client = createClient<paths>({ baseUrl: options.baseUrl ?? '', fetch: options.fetch });
  const bearer: Middleware = {
    onRequest({ request }) {
      const token = options.token?.();
      if (token) request.headers.set('Authorization', `Bearer ${token}`);
      return request;
    },
  };
  client.use(bearer);
  return client;
}
