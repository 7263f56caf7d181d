/**
 * The pending-push lifecycle through the HTTP APIs: an auth call with a push factor is held open
 * until the page's Approve/Deny endpoint answers it or the push times out; the v2 async form
 * (txid + auth_status); passcodes from the page; SMS passcodes; cancelled pushes; the page API's
 * cross-site and Host checks.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCode } from '../../src/errors.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server.js';
import { answerPush, duoCall, response, waitForPush, webCall, type Answer } from './helpers.js';

let dir: string;
let sim: RunningSimulator;
let quick: RunningSimulator;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sim-push-'));
  sim = await startSimulator({ stateDir: join(dir, 'state'), longPollMs: 300 });
  quick = await startSimulator({ stateDir: join(dir, 'state'), pushTimeoutMs: 400 });
});

afterAll(async () => {
  await Promise.all([sim.close(), quick.close()]);
  rmSync(dir, { recursive: true, force: true });
});

/** Settles to 'pending' when `p` has not finished within `ms`. */
async function stillPending(p: Promise<unknown>, ms = 300): Promise<boolean> {
  const marker = Symbol('pending');
  return (await Promise.race([p, new Promise((r) => setTimeout(() => r(marker), ms))])) === marker;
}

const v1Auth = (s: RunningSimulator, user: string, auto: string, signal?: AbortSignal): Promise<Answer> =>
  duoCall(s, '/rest/v1/auth', { params: { user, factor: 'auto', auto, ipaddr: '192.0.2.7' }, ...(signal ? { signal } : {}) });

async function passcodeOf(s: RunningSimulator, user: string): Promise<string> {
  const users = (await webCall(s, '/api/state')).json['users'] as { user: string; passcode: string }[];
  return users.find((u) => u.user === user)?.passcode ?? '';
}

describe('push held open until the page answers', () => {
  it('v1 auth push1 blocks until Approve, then answers allow with Duo\'s text', async () => {
    const call = v1Auth(sim, 'alice', 'push1');
    const id = await waitForPush(sim, 'alice');
    const pending = (await webCall(sim, '/api/state')).json['pending'] as Record<string, unknown>[];
    expect(pending.find((p) => p['id'] === id)).toMatchObject({ user: 'alice', factor: 'push', ipaddr: '192.0.2.7' });
    expect(await stillPending(call)).toBe(true);
    expect((await answerPush(sim, id, 'approve')).json).toMatchObject({ ok: true, verdict: 'approve' });
    const a = await call;
    expect(a.status).toBe(200);
    expect(response(a)).toEqual({ result: 'allow', status: 'Success. Logging you in...' });
    expect((await answerPush(sim, id, 'deny')).status).toBe(409);
  });

  it('Deny answers deny with "Login request denied."', async () => {
    const call = v1Auth(sim, 'bob', 'auto');
    await answerPush(sim, await waitForPush(sim, 'bob'), 'deny');
    expect(response(await call)).toEqual({ result: 'deny', status: 'Login request denied.' });
  });

  it('a phone call waits on the page like a push', async () => {
    const call = duoCall(sim, '/auth/v2/auth', { version: 5, params: { username: 'dave', factor: 'phone', device: 'auto' } });
    const id = await waitForPush(sim, 'dave');
    expect(((await webCall(sim, '/api/state')).json['pending'] as { id: string; factor: string }[]).find((p) => p.id === id)?.factor).toBe('phone');
    await answerPush(sim, id, 'approve');
    expect(response(await call)).toMatchObject({ result: 'allow', status: 'allow', status_msg: 'Success. Logging you in...' });
  });

  it('an unanswered push times out as deny with status timeout', async () => {
    const v1 = v1Auth(quick, 'erin', 'push');
    const v2 = duoCall(quick, '/auth/v2/auth', { version: 5, params: { username: 'frank', factor: 'push', device: 'auto' } });
    expect(response(await v1)).toEqual({ result: 'deny', status: 'Login timed out.' });
    expect(response(await v2)).toEqual({ result: 'deny', status: 'timeout', status_msg: 'Login timed out.' });
    expect((await webCall(quick, '/api/state')).json['pending']).toEqual([]);
  });

  it('v2 async: txid, auth_status waiting, then the answer after Approve', async () => {
    const a = await duoCall(sim, '/auth/v2/auth', { version: 2, params: { username: 'gina', factor: 'push', device: 'auto', async: '1' } });
    const txid = response(a)['txid'] as string;
    expect(txid).toMatch(/^[0-9a-f]{32}$/);
    const waiting = await duoCall(sim, '/auth/v2/auth_status', { method: 'GET', version: 2, params: { txid } });
    expect(response(waiting)).toMatchObject({ result: 'waiting', status: 'pushed' });
    const poll = duoCall(sim, '/auth/v2/auth_status', { method: 'GET', version: 5, params: { txid } });
    await answerPush(sim, await waitForPush(sim, 'gina'), 'approve');
    expect(response(await poll)).toMatchObject({ result: 'allow', status: 'allow' });
  });

  it('a client that hangs up cancels its push', async () => {
    const ac = new AbortController();
    const call = v1Auth(sim, 'hank', 'push1', ac.signal).catch((e: unknown) => e);
    await waitForPush(sim, 'hank');
    ac.abort();
    await call;
    await expect.poll(async () => (await webCall(sim, '/api/state')).json['pending']).toEqual([]);
    const history = (await webCall(sim, '/api/state')).json['history'] as { user: string; result: string }[];
    expect(history.find((h) => h.user === 'hank')?.result).toBe('cancelled');
  });

  it('answers 400 for a device number the user does not have', async () => {
    expect((await v1Auth(sim, 'alice', 'push2')).json).toMatchObject({ stat: 'FAIL', code: 40002 });
    const v2 = await duoCall(sim, '/auth/v2/auth', { version: 5, params: { username: 'alice', factor: 'push', device: 'DPNOSUCHDEVICE000000' } });
    expect(v2.status).toBe(400);
  });
});

describe('passcodes', () => {
  it('accepts the current passcode shown on the page (v1 and v2) and rejects another', async () => {
    await duoCall(sim, '/rest/v1/preauth', { params: { user: 'ivan' } });
    const code = await passcodeOf(sim, 'ivan');
    expect(code).toMatch(/^\d{6}$/);
    expect(response(await v1Auth(sim, 'ivan', code))).toEqual({ result: 'allow', status: 'Success. Logging you in...' });
    const v2 = await duoCall(sim, '/auth/v2/auth', { version: 5, params: { username: 'ivan', factor: 'passcode', passcode: code } });
    expect(response(v2)).toMatchObject({ result: 'allow' });
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    expect(response(await v1Auth(sim, 'ivan', wrong))).toEqual({ result: 'deny', status: 'Incorrect passcode. Please try again.' });
  });

  it('sms1 "texts" one-time codes that the page shows; each works once', async () => {
    expect(response(await v1Auth(sim, 'judy', 'sms1'))).toEqual({ result: 'deny', status: 'New SMS passcodes sent.' });
    const users = (await webCall(sim, '/api/state')).json['users'] as { user: string; smsCodes: string[] }[];
    const codes = users.find((u) => u.user === 'judy')?.smsCodes ?? [];
    expect(codes).toHaveLength(3);
    expect(response(await v1Auth(sim, 'judy', codes[0] ?? ''))).toMatchObject({ result: 'allow' });
    expect(response(await v1Auth(sim, 'judy', codes[0] ?? ''))).toMatchObject({ result: 'deny' });
  });
});

describe('web page API', () => {
  it('serves the page with Approve/Deny markup and a strict CSP', async () => {
    const js = await webCall(sim, '/app.js');
    expect(js.status).toBe(200);
    expect(String(js.json['text'])).toContain("'data-action'");
    const page = await webCall(sim, '/');
    expect(String(page.json['text'])).toContain('<script src="/app.js" defer></script>');
  });

  it('refuses a form POST (no JSON content type), a foreign Origin and a foreign Host', async () => {
    const call = v1Auth(sim, 'kim', 'push');
    const id = await waitForPush(sim, 'kim');
    const form = await webCall(sim, `/api/pushes/${id}/approve`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(403);
    const origin = await webCall(sim, `/api/pushes/${id}/approve`, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'http://evil.example' } });
    expect(origin.status).toBe(403);
    const host = await webCall(sim, '/api/state', { headers: { host: 'evil.example' } });
    expect(host.status).toBe(421);
    expect(await stillPending(call, 100)).toBe(true);
    await answerPush(sim, id, 'deny');
    expect(response(await call)['result']).toBe('deny');
  });

  it('shows the ikey and API port but never the skey', async () => {
    const state = await webCall(sim, '/api/state');
    expect(state.json['integration']).toMatchObject({ ikey: sim.ikey, apiHost: '127.0.0.1', apiPort: sim.apiPort, caCertPath: sim.caCertPath });
    expect(JSON.stringify(state.json)).not.toContain(sim.skey);
  });
});

describe('start-up errors', () => {
  it('refuses a state dir whose integration.json is not a valid pair', async () => {
    const bad = join(dir, 'bad');
    rmSync(bad, { recursive: true, force: true });
    mkdirSync(bad);
    writeFileSync(join(bad, 'integration.json'), '{"ikey":"x","skey":"y"}');
    const err = await startSimulator({ stateDir: bad }).catch((e: unknown) => e);
    expect(hasCode(err, 'AP_ERR_SIMULATOR_SETUP')).toBe(true);
    expect(String((err as Error).message)).not.toContain('"y"');
  });

  it('names the port when it is in use', async () => {
    const err = await startSimulator({ stateDir: join(dir, 'state'), port: sim.apiPort }).catch((e: unknown) => e);
    expect(hasCode(err, 'AP_ERR_SIMULATOR_SETUP')).toBe(true);
    expect((err as Error).message).toBe(`the simulator's Duo API port ${sim.apiPort} on 127.0.0.1 is in use`);
  });
});
