/**
 * Wire helpers of the fake Duo API: reading and parsing request bodies, checking signatures the
 * way the Duo service does (spec §6.2), and the canned outage answers.
 */
import type { IncomingMessage } from 'node:http';
import { verifySignature } from '../../../src/duo/sign.js';
import type { SigDigest, SigVersion } from '../../../src/duo/sign.js';
import type { FakeEndpoint, OutageMode, SignatureVerdict } from './types.js';

/** Reads the whole body (at most 1 MiB). */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 1024 * 1024) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Form or query text → parameters; repeated names become lists (like Python's parse_qs). */
export function parseForm(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/** Parameters flattened to one string each (first value), for the scenario logic. */
export function firstValues(p: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(p)) {
    const x = Array.isArray(v) ? v[0] : v;
    out[k] = typeof x === 'string' ? x : JSON.stringify(x);
  }
  return out;
}

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

/** What arrived, for the signature check. */
export interface SignedRequest {
  readonly method: string;
  readonly host: string;
  readonly path: string;
  readonly form: Record<string, string | string[]>;
  readonly body: string;
  readonly json: boolean;
  readonly headers: IncomingMessage['headers'];
}

/**
 * Checks the signature as Duo does: `/rest/v1` only v1; `/auth/v2` v5 or v4 for a JSON body, v5
 * (GET) or v2 with SHA512 or SHA1 otherwise. Answers which version matched.
 */
export function checkSignature(r: SignedRequest, lookupSkey: (ikey: string) => string | undefined): SignatureVerdict {
  const candidates: [SignatureVerdict, SigVersion, SigDigest?][] = r.path.startsWith('/rest/v1/')
    ? [['v1', 1]]
    : r.json
      ? [['v5', 5], ['v4', 4]]
      : [...(r.method === 'GET' ? ([['v5', 5]] as [SignatureVerdict, SigVersion][]) : []), ['v2-sha512', 2, 'sha512'], ['v2-sha1', 2, 'sha1']];
  let verdict: SignatureVerdict = 'bad';
  for (const [name, version, digest] of candidates) {
    const v = verifySignature({
      method: r.method,
      host: r.host,
      path: r.path,
      ...(r.json ? { body: r.body } : { params: r.form, body: '' }),
      headers: r.headers,
      lookupSkey,
      version,
      ...(digest ? { v2Digest: digest } : {}),
    });
    if (v.ok) return name;
    if (v.reason === 'no-credentials') return 'none';
    if (v.reason === 'unknown-ikey') verdict = 'unknown-ikey';
  }
  return verdict;
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
