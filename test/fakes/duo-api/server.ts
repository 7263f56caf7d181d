/**
 * A fake Duo Auth API over real HTTPS (node:https, certificate from the test CA) on 127.0.0.1,
 * port 0. It serves both dialects — `/rest/v1/preauth|auth` (signature v1) and
 * `/auth/v2/ping|check|preauth|auth|auth_status` (signature v2/v4/v5) — checks every signature
 * like Duo, plays per-user scenarios and switchable outages, and records every call.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestCa } from '../../support/test-ca.js';
import { authV1, authV2, badParams, fail, ok, preauthV1, preauthV2 } from './logic.js';
import type { FakeReply, Outcome } from './logic.js';
import type { Call, FakeDuoApi, FakeDuoApiOptions, FakeEndpoint, OutageMode, UserScenario } from './types.js';
import { cannedAnswer, checkSignature, endpointOf, firstValues, parseForm, readBody } from './wire.js';

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
const randomKey = (n: number, alphabet: string): string =>
  Array.from(randomBytes(n), (b) => alphabet[b % alphabet.length]).join('');

/** Starts the fake; see {@link FakeDuoApi} for what it offers. */
export async function startFakeDuoApi(opts: FakeDuoApiOptions = {}): Promise<FakeDuoApi> {
  const fake = new FakeDuo(opts);
  await fake.listen(0);
  return fake;
}

interface Tx {
  readonly readyAt: number;
  readonly outcome: Outcome;
}

class FakeDuo implements FakeDuoApi {
  readonly calls: Call[] = [];
  readonly caCertPem: string;
  readonly caCertPath: string;
  readonly ikey: string;
  readonly skey: string;
  readonly host = '127.0.0.1';
  port = 0;
  tlsConnections = 0;
  private readonly ownDir: string | undefined;
  private readonly skeys = new Map<string, string>();
  private readonly users = new Map<string, UserScenario>();
  private readonly outages = new Map<FakeEndpoint | 'all', OutageMode>();
  private readonly txs = new Map<string, Tx>();
  private readonly sockets = new Set<Socket>();
  private readonly hanging = new Set<ServerResponse>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly server;
  private listening = false;
  private closed = false;

  constructor(private readonly opts: FakeDuoApiOptions) {
    this.ownDir = opts.dir ? undefined : mkdtempSync(join(tmpdir(), 'fake-duo-'));
    const ca = createTestCa(opts.dir ?? this.ownDir ?? '', { hosts: opts.certHosts ?? ['127.0.0.1', 'localhost'] });
    this.caCertPem = ca.caCertPem;
    this.caCertPath = ca.caCertPath;
    const integrations = opts.integrations ?? [
      { ikey: `DI${randomKey(18, UPPER + DIGITS)}`, skey: randomKey(40, UPPER.toLowerCase() + UPPER + DIGITS) },
    ];
    for (const i of integrations) this.skeys.set(i.ikey, i.skey);
    this.ikey = integrations[0]?.ikey ?? '';
    this.skey = integrations[0]?.skey ?? '';
    let connection = 0;
    this.server = createServer({ key: ca.keyPem, cert: ca.certPem }, (req, res) => void this.handle(req, res));
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server.on('secureConnection', (s) => {
      this.tlsConnections += 1;
      (s as Socket & { fakeId?: number }).fakeId = ++connection;
    });
    this.server.on('tlsClientError', () => undefined);
  }

  get url(): string {
    return `https://${this.host}:${this.port}`;
  }

  /** Binds (or re-binds after `refuse`) the listener. */
  listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, this.host, () => {
        this.server.off('error', reject);
        const addr = this.server.address();
        this.port = typeof addr === 'object' && addr ? addr.port : port;
        this.listening = true;
        resolve();
      });
    });
  }

  private stopListening(): void {
    if (!this.listening) return;
    this.listening = false;
    this.server.close();
    for (const s of this.sockets) s.destroy();
  }

  setUser(name: string, scenario: UserScenario): void {
    this.users.set(name, scenario);
  }

  async setOutage(endpoint: FakeEndpoint | 'all', mode: OutageMode | null): Promise<void> {
    if (mode === null) this.outages.delete(endpoint);
    else this.outages.set(endpoint, mode);
    if (this.outages.get('all') === 'refuse') this.stopListening();
    else if (!this.listening && !this.closed) await this.listen(this.port);
  }

  async reset(): Promise<void> {
    this.users.clear();
    this.txs.clear();
    this.calls.length = 0;
    this.outages.clear();
    if (!this.listening && !this.closed) await this.listen(this.port);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    for (const r of this.hanging) r.destroy();
    const done = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    if (this.listening) await done;
    if (this.ownDir) rmSync(this.ownDir, { recursive: true, force: true });
  }

  private scenario(user: string | undefined): UserScenario {
    return (user !== undefined ? this.users.get(user) : undefined) ?? this.opts.defaultScenario ?? { kind: 'enroll' };
  }

  private outageFor(endpoint: FakeEndpoint | undefined): OutageMode | undefined {
    if (!endpoint) return this.outages.get('all');
    const stage = endpoint === 'auth_status' ? this.outages.get('auth') : undefined;
    return this.outages.get(endpoint) ?? stage ?? this.outages.get('all');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrivedAt = Date.now();
    res.on('error', () => undefined);
    let body: string;
    try {
      body = await readBody(req);
    } catch {
      req.socket.destroy();
      return;
    }
    const url = new URL(req.url ?? '/', 'https://fake');
    const method = req.method ?? '';
    const endpoint = endpointOf(url.pathname);
    const json = (req.headers['content-type'] ?? '').startsWith('application/json');
    const form = req.method === 'GET' ? parseForm(url.search.slice(1)) : json ? {} : parseForm(body);
    const params = json ? parseJsonParams(body) : firstValues(form);
    const host = this.opts.signedHost ?? (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    const signature =
      url.pathname === '/auth/v2/ping'
        ? 'none'
        : checkSignature({ method, host, path: url.pathname, form, body, json, headers: req.headers }, (k) => this.skeys.get(k));
    const connection = (req.socket as Socket & { fakeId?: number }).fakeId ?? 0;
    const headers = { ...req.headers };
    this.calls.push({ method, path: url.pathname, endpoint, params, body, headers, arrivedAt, connection, signature });
    const mode = this.outageFor(endpoint);
    if (mode) return this.playOutage(mode, endpoint, req, res);
    const denied = this.authProblem(url.pathname, signature, req);
    if (denied) return this.send(res, denied);
    return this.route(method, url.pathname, params, res);
  }

  private playOutage(mode: OutageMode, endpoint: FakeEndpoint | undefined, req: IncomingMessage, res: ServerResponse): void {
    if (mode === 'hang') {
      this.hanging.add(res);
      res.on('close', () => this.hanging.delete(res));
      return;
    }
    const canned = cannedAnswer(mode, endpoint);
    if (!canned) {
      req.socket.destroy();
      return;
    }
    res.writeHead(canned.status, { 'content-type': canned.type }).end(canned.body);
  }

  /** 401 for missing/bad credentials or an unknown ikey (Duo answers 401 to all of them). */
  private authProblem(path: string, signature: Call['signature'], req: IncomingMessage): FakeReply | undefined {
    if (path === '/auth/v2/ping') return undefined;
    if (signature === 'none') return fail(401, 40101, 'Missing request credentials');
    if (signature === 'unknown-ikey') return fail(401, 40102, 'Invalid integration key in request credentials');
    if (signature === 'bad') return fail(401, 40103, 'Invalid signature in request credentials');
    const skew = this.opts.maxSkewSec;
    if (skew !== undefined && signature !== 'v1') {
      const date = Date.parse(String(req.headers['date'] ?? req.headers['x-duo-date'] ?? ''));
      if (!Number.isFinite(date) || Math.abs(date - Date.now()) > skew * 1000) return fail(401, 40105, 'Request has expired');
    }
    return undefined;
  }

  private route(method: string, path: string, p: Record<string, string>, res: ServerResponse): void {
    const key = `${method} ${path}`;
    const user = p['user'] ?? p['username'];
    switch (key) {
      case 'POST /rest/v1/preauth':
        return this.send(res, user === undefined ? badParams() : preauthV1(user, this.scenario(user)));
      case 'POST /rest/v1/auth':
        if (user === undefined || p['factor'] !== 'auto' || p['auto'] === undefined) return this.send(res, badParams());
        return this.send(res, authV1(this.scenario(user), p['auto']));
      case 'GET /auth/v2/ping':
      case 'GET /auth/v2/check':
        return this.send(res, ok({ time: Math.floor(Date.now() / 1000) }));
      case 'POST /auth/v2/preauth':
        return this.send(res, user === undefined ? badParams() : preauthV2(this.scenario(user)));
      case 'POST /auth/v2/auth':
        return this.send(res, user === undefined ? badParams() : this.authV2(this.scenario(user), p));
      case 'GET /auth/v2/auth_status':
        return this.authStatus(p['txid'] ?? '', res);
      default:
        return this.send(res, fail(404, 40401, 'Resource not found'));
    }
  }

  private authV2(s: UserScenario, p: Record<string, string>): FakeReply {
    const outcome = authV2(s, p);
    if ('httpStatus' in outcome) return outcome;
    const { delayMs, ...answer } = outcome;
    if (p['async'] !== '1') return ok(answer, delayMs);
    const txid = randomBytes(16).toString('hex');
    this.txs.set(txid, { readyAt: Date.now() + delayMs, outcome });
    return ok({ txid });
  }

  /** Long poll: answers when the user has answered or after `longPollMs`, whichever is first. */
  private authStatus(txid: string, res: ServerResponse): void {
    const tx = this.txs.get(txid);
    if (!tx) return this.send(res, badParams());
    const wait = Math.min(tx.readyAt - Date.now(), this.opts.longPollMs ?? 1000);
    const { delayMs: _unused, ...answer } = tx.outcome;
    const reply = (): void => {
      if (Date.now() >= tx.readyAt) return this.send(res, ok(answer));
      this.send(res, ok({ result: 'waiting', status: 'pushed', status_msg: 'Pushed a login request to your device...' }));
    };
    if (wait <= 0) return reply();
    this.later(wait, reply);
  }

  private send(res: ServerResponse, reply: FakeReply): void {
    const write = (): void => {
      if (res.destroyed) return;
      res.writeHead(reply.httpStatus, { 'content-type': 'application/json' }).end(JSON.stringify(reply.json));
    };
    if (reply.delayMs > 0) this.later(reply.delayMs, write);
    else write();
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }
}

function parseJsonParams(body: string): Record<string, string> {
  try {
    const v: unknown = JSON.parse(body);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? firstValues(v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
