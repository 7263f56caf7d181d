/**
 * Wire helpers of the fake Duo API: reading and parsing request bodies, checking signatures the
 * way the Duo service does (spec §6.2), and the canned outage answers.
 */
import type { FakeEndpoint, OutageMode } from './types.js';

// Body reading, form parsing and the signature check are shared with the push simulator (product
// code), so the fake and the simulator judge requests identically.
// checkSignature: `/rest/v1` only v1; `/auth/v2` v5 or v4 for a JSON body, v5 (GET) or v2 with
// SHA512 or SHA1 otherwise; it answers which version matched (same union as types.ts SignatureVerdict).
export { checkSignature, firstValues, parseForm, readBody } from '../../../src/simulator/wire.js';
export type { SignedRequest } from '../../../src/simulator/wire.js';

/** The endpoint a path belongs to. */
export function endpointOf(path: string): FakeEndpoint | undefined {
  const table: Record<string, FakeEndpoint> = {
    '/rest/v1/preauth': 'preauth',
    '/auth/v2/preauth': 'preauth',
    '/rest/v1/auth': 'auth',
    '/auth/v2/auth': 'auth',
    '/auth/v2/auth_status': 'auth_status',
    '/auth/v2/ping': 'ping',
    '/auth/v2/check': 'check',
  };
  return table[path];
}

/** A canned outage answer: HTTP status, content type and body text. */
export interface CannedAnswer {
  readonly status: number;
  readonly type: string;
  readonly body: string;
}

const JSON_TYPE = 'application/json';
const failBody = (code: number, message: string): string => JSON.stringify({ stat: 'FAIL', code, message });

const MISSING: Record<FakeEndpoint, unknown> = {
  preauth: { result: 'auth', status: 'Account is active' },
  auth: { result: 'allow' },
  auth_status: { result: 'allow' },
  ping: { pong: true },
  check: { pong: true },
};

/** The answer an outage mode plays for an endpoint (modes without an answer → undefined). */
export function cannedAnswer(mode: OutageMode, endpoint: FakeEndpoint | undefined): CannedAnswer | undefined {
  const json = (status: number, body: string): CannedAnswer => ({ status, type: JSON_TYPE, body });
  switch (mode) {
    case 'http500':
      return { status: 500, type: 'text/html', body: '<html><body><h1>500 Internal Server Error</h1></body></html>\n' };
    case 'http503':
      return json(503, failBody(50301, 'Service Unavailable'));
    case 'http400':
      return json(400, failBody(40002, 'Invalid request parameters'));
    case 'http401':
      return json(401, failBody(40103, 'Invalid signature in request credentials'));
    case 'http429':
      return json(429, failBody(42901, 'Too Many Requests'));
    case 'malformed-json':
      return json(200, '{"stat": "OK", "response": {"result": "al');
    case 'wrong-stat':
      return json(200, JSON.stringify({ stat: 'MAYBE', response: { result: 'allow', status: 'ok' } }));
    case 'missing-fields':
      return json(200, JSON.stringify({ stat: 'OK', response: MISSING[endpoint ?? 'auth'] }));
    case 'empty-response':
      return json(200, JSON.stringify({ stat: 'OK', response: {} }));
    case 'fail-200':
      return json(200, failBody(40002, 'Invalid request parameters'));
    default:
      return undefined;
  }
}
