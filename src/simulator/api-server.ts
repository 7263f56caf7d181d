/**
 * The simulator's Duo API over HTTPS (node:https with the simulator's own CA-signed certificate):
 * reads each request, checks its signature against the generated integration exactly as Duo does,
 * answers 401 with Duo's error envelope for missing or bad credentials, and hands everything else
 * to {@link DuoEndpoints}.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { Integration } from './credentials.js';
import { fail, type ApiReply, type DuoEndpoints } from './duo-api.js';
import type { SimulatorTls } from './tls.js';
import { checkSignature, firstValues, parseForm, parseJsonParams, readBody, type SignatureVerdict } from './wire.js';

/** Largest accepted difference between a signed `Date` and the simulator's clock (s). */
export const MAX_SKEW_SECONDS = 300;

/** What the API server needs. */
export interface ApiServerOptions {
  readonly tls: SimulatorTls;
  readonly integration: Integration;
  readonly endpoints: DuoEndpoints;
  /** One line per answered request (never a secret, passcode or factor string). */
  readonly log: (line: string) => void;
}

/** Creates (does not start) the HTTPS server. */
export function createApiServer(opts: ApiServerOptions): Server {
  const server = createServer({ key: opts.tls.keyPem, cert: opts.tls.certPem, minVersion: 'TLSv1.2' }, (req, res) => {
    void serve(req, res, opts).catch(() => res.destroy());
  });
  server.on('tlsClientError', () => undefined);
  return server;
}

async function serve(req: IncomingMessage, res: ServerResponse, opts: ApiServerOptions): Promise<void> {
  res.on('error', () => undefined);
  let body: string;
  try {
    body = await readBody(req);
  } catch {
    return send(res, fail(413, 41301, 'Request body too large'));
  }
  const url = new URL(req.url ?? '/', 'https://simulator');
  const method = req.method ?? 'GET';
  const json = (req.headers['content-type'] ?? '').startsWith('application/json');
  const form = method === 'GET' ? parseForm(url.search.slice(1)) : json ? {} : parseForm(body);
  const problem = url.pathname === '/auth/v2/ping' ? undefined : authProblem(verdictOf(req, url.pathname, form, body, json, opts), req);
  if (problem) return finish(res, method, url.pathname, undefined, problem, opts);
  const params = json ? parseJsonParams(body) : firstValues(form);
  const hangUp = new AbortController();
  res.on('close', () => hangUp.abort());
  const reply = await opts.endpoints.handle({ method, path: url.pathname, params, signal: hangUp.signal });
  finish(res, method, url.pathname, params['user'] ?? params['username'], reply, opts);
}

function verdictOf(req: IncomingMessage, path: string, form: Record<string, string | string[]>, body: string, json: boolean, opts: ApiServerOptions): SignatureVerdict {
  const { ikey, skey } = opts.integration;
  const signed = { method: req.method ?? '', host: signedHost(req.headers.host), path, form, body, json, headers: req.headers };
  return checkSignature(signed, (k) => (k === ikey ? skey : undefined));
}

/** The Host header as the client signed it: without port and brackets, lower-cased. */
export function signedHost(host: string | undefined): string {
  const h = (host ?? '').trim().toLowerCase();
  const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(h);
  return v6?.[1] ?? h.replace(/:\d+$/, '');
}

/** Duo's 401 answers (spec §6.3): 40101 no credentials, 40102 unknown ikey, 40103 bad signature, 40105 stale Date. */
function authProblem(verdict: SignatureVerdict, req: IncomingMessage): ApiReply | undefined {
  if (verdict === 'none') return fail(401, 40101, 'Missing request credentials');
  if (verdict === 'unknown-ikey') return fail(401, 40102, 'Invalid integration key in request credentials');
  if (verdict === 'bad') return fail(401, 40103, 'Invalid signature in request credentials');
  if (verdict === 'v1') return undefined;
  const date = Date.parse(String(req.headers['date'] ?? req.headers['x-duo-date'] ?? ''));
  if (!Number.isFinite(date) || Math.abs(date - Date.now()) > MAX_SKEW_SECONDS * 1000) return fail(401, 40105, 'Request has expired');
  return undefined;
}

function finish(res: ServerResponse, method: string, path: string, user: string | undefined, reply: ApiReply, opts: ApiServerOptions): void {
  const response = (reply.json as { response?: { result?: unknown } }).response;
  const result = typeof response?.result === 'string' ? ` ${response.result}` : '';
  opts.log(`${method} ${path}${user === undefined ? '' : ` user=${JSON.stringify(user)}`} -> ${reply.status}${result}`);
  send(res, reply);
}

function send(res: ServerResponse, reply: ApiReply): void {
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.json));
}
