/**
 * The simulator's Duo API over real HTTPS: signatures are really checked (v1, v2 SHA1/SHA512, v5)
 * against the generated integration, with Duo's 401 codes; the preauth shapes of both dialects;
 * generated credentials and certificates are persisted and reused.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomSkey } from '../../src/simulator/credentials.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server.js';
import { duoCall, response } from './helpers.js';

let dir: string;
let sim: RunningSimulator;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sim-api-'));
  sim = await startSimulator({ stateDir: join(dir, 'state') });
});

afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('signature checks', () => {
  it('accepts a v1-signed /rest/v1/preauth and answers the factors object of spec §5.5', async () => {
    const a = await duoCall(sim, '/rest/v1/preauth', { params: { user: 'alice', ipaddr: '0.0.0.0', failmode: 'safe' } });
    expect(a.status).toBe(200);
    expect(a.json['stat']).toBe('OK');
    const r = response(a);
    expect(r['result']).toBe('auth');
    expect(r['factors']).toEqual({ default: 'push1', '1': 'push1', '2': 'phone1', '3': 'sms1' });
    expect(r['prompt']).toMatch(/^Duo login for alice\n\n 1\. Duo Push to XXX-XXX-\d{4}\n/);
  });

  it('answers 401 40103 for a v1 request signed with the wrong skey', async () => {
    const a = await duoCall(sim, '/rest/v1/preauth', { params: { user: 'alice' }, skey: randomSkey() });
    expect(a.status).toBe(401);
    expect(a.json).toMatchObject({ stat: 'FAIL', code: 40103 });
  });

  it('does not accept a v2 signature on /rest/v1 (only v1 there)', async () => {
    const a = await duoCall(sim, '/rest/v1/preauth', { params: { user: 'alice' }, version: 2 });
    expect(a.status).toBe(401);
    expect(a.json['code']).toBe(40103);
  });

  it('accepts a v5-signed JSON /auth/v2/preauth and lists one device with push', async () => {
    const a = await duoCall(sim, '/auth/v2/preauth', { params: { username: 'bob' }, version: 5 });
    expect(a.status).toBe(200);
    const devices = response(a)['devices'] as { device: string; capabilities: string[] }[];
    expect(devices).toHaveLength(1);
    expect(devices[0]?.device).toMatch(/^DP[A-Z0-9]{18}$/);
    expect(devices[0]?.capabilities).toEqual(['auto', 'push', 'sms', 'phone', 'mobile_otp']);
  });

  it('answers 401 40103 for a v5 request signed with the wrong skey', async () => {
    const a = await duoCall(sim, '/auth/v2/preauth', { params: { username: 'bob' }, version: 5, skey: randomSkey() });
    expect(a.status).toBe(401);
    expect(a.json).toMatchObject({ stat: 'FAIL', code: 40103 });
  });

  it('accepts v2 with HMAC-SHA1 and with HMAC-SHA512, and v5 on a GET', async () => {
    for (const v2Digest of ['sha1', 'sha512'] as const) {
      const a = await duoCall(sim, '/auth/v2/check', { method: 'GET', version: 2, v2Digest });
      expect(a.status).toBe(200);
      expect(typeof response(a)['time']).toBe('number');
    }
    expect((await duoCall(sim, '/auth/v2/check', { method: 'GET', version: 5 })).status).toBe(200);
  });

  it('answers 40101 without credentials, 40102 for an unknown ikey, 40105 for a stale Date', async () => {
    expect((await duoCall(sim, '/auth/v2/check', { method: 'GET', version: 'none' })).json['code']).toBe(40101);
    expect((await duoCall(sim, '/auth/v2/check', { method: 'GET', version: 5, ikey: 'DIAAAAAAAAAAAAAAAAAA' })).json['code']).toBe(40102);
    const stale = await duoCall(sim, '/auth/v2/check', { method: 'GET', version: 5, date: new Date(Date.now() - 3_600_000) });
    expect(stale.status).toBe(401);
    expect(stale.json['code']).toBe(40105);
  });

  it('answers /auth/v2/ping without a signature', async () => {
    const a = await duoCall(sim, '/auth/v2/ping', { method: 'GET', version: 'none' });
    expect(a.status).toBe(200);
    expect(Math.abs((response(a)['time'] as number) - Date.now() / 1000)).toBeLessThan(5);
  });

  it('answers 400 40002 for a missing user and 404 for an unknown path', async () => {
    expect((await duoCall(sim, '/rest/v1/preauth', { params: {} })).json).toMatchObject({ stat: 'FAIL', code: 40002 });
    expect((await duoCall(sim, '/rest/v1/nothing', { params: {} })).status).toBe(404);
  });
});

describe('state dir', () => {
  it('keeps a Duo-shaped ikey/skey pair in integration.json, readable by the owner only', () => {
    const saved = JSON.parse(readFileSync(sim.integrationFile, 'utf8')) as { ikey: string; skey: string };
    expect(saved.ikey).toMatch(/^DI[A-Z0-9]{18}$/);
    expect(saved.skey).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(saved).toEqual({ ikey: sim.ikey, skey: sim.skey });
    expect(statSync(sim.integrationFile).mode & 0o077).toBe(0);
    expect(statSync(join(dir, 'state', 'server.key')).mode & 0o077).toBe(0);
  });

  it('issues a server certificate for 127.0.0.1 and localhost signed by its CA', () => {
    const cert = new X509Certificate(readFileSync(join(dir, 'state', 'server.crt')));
    const ca = new X509Certificate(readFileSync(sim.caCertPath));
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkHost('localhost')).toBe('localhost');
  });

  it('reuses the integration and CA on the next start, and gets fresh ones in a new dir', async () => {
    const again = await startSimulator({ stateDir: join(dir, 'state') });
    const fresh = await startSimulator({ stateDir: join(dir, 'other') });
    try {
      expect([again.ikey, again.skey]).toEqual([sim.ikey, sim.skey]);
      expect(readFileSync(again.caCertPath, 'utf8')).toBe(readFileSync(sim.caCertPath, 'utf8'));
      expect(fresh.ikey).not.toBe(sim.ikey);
      expect((await duoCall(again, '/rest/v1/preauth', { params: { user: 'carol' } })).status).toBe(200);
    } finally {
      await Promise.all([again.close(), fresh.close()]);
    }
  });
});
