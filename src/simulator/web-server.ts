/**
 * The simulator's web page and its small JSON API, over plain HTTP on a loopback port (separate
 * from the HTTPS Duo API so a browser shows the page without a certificate warning):
 * `GET /`, `/app.js`, `/app.css`, `GET /api/state`, `POST /api/pushes/<id>/approve|deny`.
 * Requests whose Host is not one of the simulator's own names are refused (DNS rebinding), and
 * answers need `Content-Type: application/json` and a same-origin `Origin`, so another web site
 * open in the same browser cannot approve a push (a cross-site JSON POST needs a CORS preflight,
 * which this server never grants).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { PAGE_CSS, PAGE_HTML, PAGE_JS } from './web-page.js';
import type { SimulatorState } from './state.js';

/** Values the page shows for copying into a config (never the skey itself). */
export interface IntegrationInfo {
  readonly ikey: string;
  readonly apiHost: string;
  readonly apiPort: number;
  readonly caCertPath: string;
  /** Where the skey is kept. */
  readonly integrationFile: string;
}

/** What the web server needs. */
export interface WebServerOptions {
  readonly state: SimulatorState;
  /** Read on every `/api/state` (ports are known only after listening). */
  readonly integration: () => IntegrationInfo;
  /** Host names accepted in the Host header (besides 127.0.0.1, localhost and [::1]). */
  readonly hostNames: readonly string[];
  readonly log: (line: string) => void;
}

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
} as const;

const STATIC: Readonly<Record<string, readonly [string, string]>> = {
  '/': ['text/html; charset=utf-8', PAGE_HTML],
  '/app.js': ['text/javascript; charset=utf-8', PAGE_JS],
  '/app.css': ['text/css; charset=utf-8', PAGE_CSS],
};

/** Creates (does not start) the HTTP server of the page. */
export function createWebServer(opts: WebServerOptions): Server {
  const names = new Set(['127.0.0.1', 'localhost', '[::1]', ...opts.hostNames.map((h) => (h.includes(':') ? `[${h}]` : h).toLowerCase())]);
  return createServer((req, res) => {
    res.on('error', () => undefined);
    req.resume();
    serve(req, res, opts, names);
  });
}

function serve(req: IncomingMessage, res: ServerResponse, opts: WebServerOptions, names: ReadonlySet<string>): void {
  const host = (req.headers.host ?? '').toLowerCase();
  if (!names.has(host.replace(/:\d+$/, ''))) return send(res, 421, 'text/plain; charset=utf-8', 'unknown Host\n');
  const path = new URL(req.url ?? '/', 'http://simulator').pathname;
  const file = STATIC[path];
  if (req.method === 'GET' && file) return send(res, 200, file[0], file[1]);
  if (req.method === 'GET' && path === '/api/state') return json(res, 200, { integration: opts.integration(), ...opts.state.snapshot() });
  const m = /^\/api\/pushes\/([0-9a-f]{1,64})\/(approve|deny)$/.exec(path);
  if (req.method === 'POST' && m) return answer(req, res, opts, m[1] ?? '', m[2] as 'approve' | 'deny');
  json(res, 404, { error: 'not found' });
}

function answer(req: IncomingMessage, res: ServerResponse, opts: WebServerOptions, id: string, verdict: 'approve' | 'deny'): void {
  const origin = req.headers.origin;
  if (!(req.headers['content-type'] ?? '').startsWith('application/json') || (origin !== undefined && origin !== `http://${req.headers.host ?? ''}`)) {
    return json(res, 403, { error: 'cross-site request refused' });
  }
  const push = opts.state.snapshot().pending.find((p) => p.id === id);
  if (!push || !opts.state.answer(id, verdict)) return json(res, 409, { error: 'no such pending push (answered, timed out or cancelled)' });
  opts.log(`push ${id} for user=${JSON.stringify(push.user)} ${verdict === 'approve' ? 'approved' : 'denied'} on the web page`);
  json(res, 200, { ok: true, id, verdict });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json', JSON.stringify(body));
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(status, { 'content-type': type, ...SECURITY_HEADERS }).end(body);
}
