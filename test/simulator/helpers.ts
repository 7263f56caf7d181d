/**
 * Test helpers for the push simulator: signed Duo API calls (v1, v2, v5, built with src/duo/sign.ts
 * like a real client) over real HTTPS trusting the simulator's CA, and calls to the web page's API.
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { basicAuthorization, canonJson, canonParams, rfc2822Date, signRequest } from '../../src/duo/sign.js';
import type { RunningSimulator } from '../../src/simulator/server.js';

/** An HTTP answer with its parsed JSON body. */
export interface Answer {
  readonly status: number;
  readonly json: Record<string, unknown>;
}

/** How to sign a call. */
export interface CallOptions {
  readonly method?: 'GET' | 'POST';
  readonly params?: Record<string, string>;
  readonly version?: 1 | 2 | 5 | 'none';
  readonly ikey?: string;
  readonly skey?: string;
  readonly v2Digest?: 'sha1' | 'sha512';
  readonly date?: Date;
  readonly signal?: AbortSignal;
}

/** Sends one signed Duo API request to the simulator. */
export function duoCall(sim: RunningSimulator, path: string, o: CallOptions = {}): Promise<Answer> {
  const method = o.method ?? 'POST';
  const params = o.params ?? {};
  const version = o.version ?? 1;
  const json = version === 5 && method === 'POST';
  const form = canonParams(params);
  const body = method === 'GET' ? '' : json ? canonJson(params) : form;
  const headers: Record<string, string> = {};
  if (method === 'POST') headers['content-type'] = json ? 'application/json' : 'application/x-www-form-urlencoded';
  if (version !== 'none') {
    const date = version === 1 ? undefined : rfc2822Date(o.date ?? new Date());
    if (date) headers['date'] = date;
    const sig = signRequest(version, { method, host: sim.apiHost, path, ...(json ? { body } : { params }), ...(date ? { date } : {}) }, o.skey ?? sim.skey, o.v2Digest);
    headers['authorization'] = basicAuthorization(o.ikey ?? sim.ikey, sig);
  }
  const target = method === 'GET' && form ? `${path}?${form}` : path;
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      { host: sim.apiHost, port: sim.apiPort, path: target, method, headers, ca: readFileSync(sim.caCertPath), agent: false, ...(o.signal ? { signal: o.signal } : {}) },
      (res) => collect(res, resolve, reject),
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Calls the web page's server (`GET /api/state`, `POST /api/pushes/…`). */
export function webCall(sim: RunningSimulator, path: string, o: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: sim.apiHost, port: sim.webPort, path, method: o.method ?? 'GET', headers: o.headers ?? {}, agent: false }, (res) => collect(res, resolve, reject));
    req.on('error', reject);
    req.end(o.body ?? '');
  });
}

/** Approves or denies a push the way the page's buttons do. */
export function answerPush(sim: RunningSimulator, id: string, verdict: 'approve' | 'deny'): Promise<Answer> {
  return webCall(sim, `/api/pushes/${id}/${verdict}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
}

/** Waits until the page's state lists a pending push for `user`, and returns its id. */
export async function waitForPush(sim: RunningSimulator, user: string, timeoutMs = 5000): Promise<string> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const state = await webCall(sim, '/api/state');
    const push = (state.json['pending'] as { id: string; user: string }[]).find((p) => p.user === user);
    if (push) return push.id;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no pending push for ${user} within ${timeoutMs} ms`);
}

function collect(res: import('node:http').IncomingMessage, resolve: (a: Answer) => void, reject: (e: unknown) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('error', reject);
  res.on('end', () => {
    const text = Buffer.concat(chunks).toString('utf8');
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      json = { text };
    }
    resolve({ status: res.statusCode ?? 0, json });
  });
}

/** `response` of a `stat: OK` answer. */
export function response(a: Answer): Record<string, unknown> {
  return (a.json['response'] ?? {}) as Record<string, unknown>;
}
