/**
 * The fake Duo API itself: it must refuse every request a real Duo would refuse, so that a
 * signing bug in the client fails a test. Requests here are built by hand with node:https.
 */
import { request } from 'node:https';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { basicAuthorization, canonJson, canonParams, rfc2822Date, signRequest } from '../../src/duo/sign.js';
import type { SigVersion } from '../../src/duo/sign.js';
import { startFakeDuoApi } from '../fakes/duo-api/index.js';
import type { FakeDuoApi } from '../fakes/duo-api/index.js';

let fake: FakeDuoApi;
const SECOND = { ikey: 'DISECONDINTEGRATION0', skey: 'second-skey-0123456789abcdefghijklmnopqrs' };
beforeAll(async () => {
  fake = await startFakeDuoApi({ integrations: [{ ikey: 'DIFIRSTINTEGRATION00', skey: 'first-skey-0123456789abcdefghijklmnopqrst' }, SECOND] });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(async () => {
  await fake.reset();
  fake.setUser('jdoe', { kind: 'allow', status: 'Bypass user' });
});

interface Raw {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

function send(r: Raw): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: fake.port, method: r.method, path: r.path, headers: r.headers, ca: fake.caCertPem, agent: false },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as unknown }));
      },
    );
    req.on('error', reject);
    req.end(r.body);
  });
}

/** A signed request; `tamper` changes it after signing. */
function signed(version: SigVersion, o: { path: string; params: Record<string, string>; json?: boolean; ikey?: string; skey?: string; host?: string }, tamper: Partial<Raw> = {}): Raw {
  const date = rfc2822Date(new Date());
  const body = o.json ? canonJson(o.params) : canonParams(o.params);
  const sig = signRequest(
    version,
    { method: 'POST', host: o.host ?? '127.0.0.1', path: o.path, ...(o.json ? { body } : { params: o.params }), date },
    o.skey ?? fake.skey,
  );
  const headers = {
    authorization: basicAuthorization(o.ikey ?? fake.ikey, sig),
    'content-type': o.json ? 'application/json' : 'application/x-www-form-urlencoded',
    ...(version === 1 ? {} : { date }),
  };
  return { method: 'POST', path: o.path, headers, body, ...tamper };
}

const PRE_V1 = { path: '/rest/v1/preauth', params: { user: 'jdoe', ipaddr: '10.0.0.5', failmode: 'safe' } };
const PRE_V2 = { path: '/auth/v2/preauth', params: { username: 'jdoe' } };
const refused = (code: number) => ({ status: 401, json: expect.objectContaining({ stat: 'FAIL', code }) });

describe('signature enforcement', () => {
  it('accepts correctly signed v1, v5 and v2 requests from any configured integration', async () => {
    expect(await send(signed(1, PRE_V1))).toEqual({ status: 200, json: { stat: 'OK', response: { result: 'allow', status: 'Bypass user' } } });
    expect((await send(signed(5, { ...PRE_V2, json: true }))).status).toBe(200);
    expect((await send(signed(2, { ...PRE_V2, ...SECOND }))).status).toBe(200);
    expect(fake.calls.map((c) => c.signature)).toEqual(['v1', 'v5', 'v2-sha512']);
  });

  it('refuses missing credentials, an unknown ikey, and a wrong skey', async () => {
    expect(await send({ ...signed(1, PRE_V1), headers: { 'content-type': 'application/x-www-form-urlencoded' } })).toEqual(refused(40101));
    expect(await send(signed(1, { ...PRE_V1, ikey: 'DINOSUCHKEY000000000' }))).toEqual(refused(40102));
    expect(await send(signed(1, { ...PRE_V1, skey: `${fake.skey.slice(1)}x` }))).toEqual(refused(40103));
  });

  it('refuses a body changed after signing, another signed host, and v1 on /auth/v2', async () => {
    const good = signed(1, PRE_V1);
    expect(await send({ ...good, body: good.body?.replace('jdoe', 'eve') ?? '' })).toEqual(refused(40103));
    expect(await send(signed(1, { ...PRE_V1, host: 'api-other.duosecurity.com' }))).toEqual(refused(40103));
    expect(await send(signed(1, { ...PRE_V2 }))).toEqual(refused(40103));
  });

  it('v5: refuses a JSON body re-serialised with spaces and a Date changed after signing', async () => {
    const good = signed(5, { ...PRE_V2, json: true });
    expect(await send({ ...good, body: JSON.stringify(PRE_V2.params, null, 1) })).toEqual(refused(40103));
    const headers = { ...good.headers, date: rfc2822Date(new Date(Date.now() + 5000)) };
    expect(await send({ ...good, headers })).toEqual(refused(40103));
  });
});

describe('routing and outages', () => {
  it('answers 404 for unknown paths and 400 for missing parameters', async () => {
    expect((await send(signed(5, { path: '/auth/v2/nope', params: {}, json: true }))).json).toMatchObject({ code: 40401 });
    expect(await send(signed(1, { path: '/rest/v1/preauth', params: { ipaddr: '1.2.3.4' } }))).toEqual({
      status: 400,
      json: { stat: 'FAIL', code: 40002, message: 'Invalid request parameters' },
    });
  });

  it('refuse closes the listener; clearing it serves again on the same port', async () => {
    const port = fake.port;
    await fake.setOutage('all', 'refuse');
    await expect(send(signed(1, PRE_V1))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await fake.setOutage('all', null);
    expect(fake.port).toBe(port);
    expect((await send(signed(1, PRE_V1))).status).toBe(200);
  });

  it('outages are per endpoint and are recorded as calls', async () => {
    await fake.setOutage('auth', 'http503');
    expect((await send(signed(1, PRE_V1))).status).toBe(200);
    const auth = await send(signed(1, { path: '/rest/v1/auth', params: { user: 'jdoe', factor: 'auto', auto: 'push', ipaddr: '1.2.3.4' } }));
    expect(auth).toEqual({ status: 503, json: { stat: 'FAIL', code: 50301, message: 'Service Unavailable' } });
    expect(fake.calls.map((c) => [c.endpoint, c.params['user']])).toEqual([['preauth', 'jdoe'], ['auth', 'jdoe']]);
    await fake.reset();
    expect(fake.calls).toHaveLength(0);
    expect((await send(signed(1, { path: '/rest/v1/auth', params: { user: 'jdoe', factor: 'auto', auto: 'push', ipaddr: '1.2.3.4' } }))).status).toBe(200);
  });
});

describe('lifecycle', () => {
  it('close() ends hanging requests', async () => {
    const other = await startFakeDuoApi();
    await other.setOutage('all', 'hang');
    const pending = new Promise<string>((resolve) => {
      const req = request({ host: '127.0.0.1', port: other.port, method: 'GET', path: '/auth/v2/ping', ca: other.caCertPem, agent: false }, () => resolve('answered'));
      req.on('error', () => resolve('closed'));
      req.end();
    });
    while (other.calls.length === 0) await new Promise((r) => setTimeout(r, 10));
    await other.close();
    expect(await pending).toBe('closed');
  });
});
