/**
 * What a network failure was, from the error Node, undici or the SDK's handler threw: the ground of
 * errors.ts's classification (exit 3 for what never reached the service, exit 1 for no answer).
 */
export interface ErrorShape {
  name?: string;
  code?: string;
  message?: string;
  hostname?: string;
  address?: string;
  port?: number;
  cause?: unknown;
  $metadata?: { httpStatusCode?: number; attempts?: number };
  $response?: { statusCode?: number; headers?: Record<string, string> };
}

export const shape = (error: unknown): ErrorShape => (error && typeof error === 'object' ? error : {});
/** The socket error code, also when `fetch` wraps it (`TypeError: fetch failed`, cause `ECONNRESET`). */
export const socketCode = (e: ErrorShape): string | undefined => e.code ?? shape(e.cause).code;

/** Failures before any request left: nothing reached the service, and what to fix is in the user's setup. */
const UNREACHABLE: Record<string, 'refused' | 'dns' | 'no route'> = {
  ECONNREFUSED: 'refused',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  EHOSTUNREACH: 'no route',
  ENETUNREACH: 'no route',
};
/** OpenSSL's and Node's codes for a certificate that is not trusted or does not match the host. */
const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS|ERR_SSL/;
const CONNECT_TIMEOUT = /did not establish a connection|UND_ERR_CONNECT_TIMEOUT/;
/** OpenSSL's answer to a plain-HTTP server on an https:// URL. */
const NOT_TLS = /wrong version number|packet length too long|ERR_SSL_WRONG_VERSION_NUMBER/;

/**
 * What a network failure was, named as a person would: the connection refused, the name not found,
 * no route, a certificate not trusted, no connection within the connect timeout (each before any
 * request left), or no answer within the read timeout. Undefined for anything else (an answer came).
 */
export function networkFailure(error: unknown): { kind: 'refused' | 'dns' | 'no route' | 'not tls' | 'tls' | 'connect timeout' | 'read timeout'; code: string } | undefined {
  const e = shape(error);
  const code = socketCode(e) ?? '';
  if (UNREACHABLE[code]) return { kind: UNREACHABLE[code], code };
  if (NOT_TLS.test(`${code} ${e.message ?? ''} ${shape(e.cause).message ?? ''}`)) return { kind: 'not tls', code: code || 'EPROTO' };
  if (TLS_CODES.test(code)) return { kind: 'tls', code };
  if (CONNECT_TIMEOUT.test(`${code} ${e.message ?? ''}`)) return { kind: 'connect timeout', code: code || 'TimeoutError' };
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || (e.name === 'TimeoutError' && /of inactivity|requestTimeout/.test(e.message ?? ''))) return { kind: 'read timeout', code: code || 'TimeoutError' };
  return undefined;
}

/** What each network failure was, in a person's words. */
export const FAILED = {
  refused: 'the connection was refused',
  dns: 'the name was not found',
  'no route': 'there is no route to the host',
  'not tls': 'it does not speak TLS: an http:// endpoint given as https://?',
  tls: 'the certificate is not trusted',
  'connect timeout': 'no connection was made in time',
  'read timeout': 'no answer came in time',
} as const;

/** The SDK's idle-timeout message (`... timed out after 15000 ms of inactivity ...`) as seconds, if it is one. */
export const idleSeconds = (message: string): number | undefined => {
  const ms = /after (\d+) ms of inactivity/.exec(message)?.[1];
  return ms ? Number(ms) / 1000 : undefined;
};

/** True when the request never left (no connection, no TLS session): sending it again cannot apply it twice. */
export function neverSent(error: unknown): boolean {
  const kind = networkFailure(error)?.kind;
  return kind !== undefined && kind !== 'read timeout';
}
