/**
 * The legacy `/rest/v1` client (what Duo's proxy speaks, spec §0.0, §6.1) against the fake Duo API
 * over real HTTPS with a generated CA; the fake checks every signature.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DuoApiError } from '../../src/duo/errors.js';
import { smartphone, startFakeDuoApi } from '../fakes/duo-api/index.js';
import type { FakeDuoApi } from '../fakes/duo-api/index.js';
import { clientFor, never, rejection } from './helpers.js';

let fake: FakeDuoApi;
beforeAll(async () => {
  fake = await startFakeDuoApi();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(async () => {
  await fake.reset();
  fake.setUser('jdoe', { kind: 'auth', devices: [smartphone('DPFZRS9FB0D46QFTM891')], passcodes: ['123456'] });
});

describe('POST /rest/v1/preauth', () => {
  it('sends user, ipaddr (raw) and failmode form-encoded, signed v1, and maps the answer', async () => {
    const { client, sink } = clientFor(fake);
    const r = await client.preauth({ user: 'jdoe', ipaddr: '00-11-22-33-44-55', failmode: 'safe' }, never());
    expect(r).toEqual({
      result: 'auth',
      status: 'Account is active',
      factors: { default: 'push1', '1': 'push1', '2': 'phone1', '3': 'sms1' },
      prompt:
        'Duo login for jdoe\n\n 1. Duo Push to XXX-XXX-1234\n 2. Phone call to XXX-XXX-1234\n 3. SMS passcodes to XXX-XXX-1234\n\nPasscode or option (1-3): ',
    });
    expect(fake.calls).toHaveLength(1);
    const call = fake.calls[0];
    expect(call).toMatchObject({ method: 'POST', path: '/rest/v1/preauth', signature: 'v1' });
    expect(call?.body).toBe('failmode=safe&ipaddr=00-11-22-33-44-55&user=jdoe');
    expect(call?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(call?.headers['user-agent']).toBe('authproxy/0.1.0 (linux; node 20; radius_server_auto)');
    expect(call?.headers['date']).toBeUndefined();
    expect(call?.headers['host']).toBe(`127.0.0.1:${fake.port}`);
    expect(sink.texts()).toEqual([`http POST to https://127.0.0.1:${fake.port}/rest/v1/preauth`]);
    await client.close();
  });

  it('passes allow, deny and enroll with their status texts and groups', async () => {
    const { client } = clientFor(fake);
    fake.setUser('bypass', { kind: 'allow', status: 'Bypass user', groups: ['VPN Users'] });
    fake.setUser('locked', { kind: 'deny', status: 'Account is locked out' });
    fake.setUser('newbie', { kind: 'enroll', enrollUrl: 'https://duo.test/portal?code=abc' });
    const p = (user: string) => client.preauth({ user, ipaddr: '10.0.0.5', failmode: 'secure' }, never());
    expect(await p('bypass')).toEqual({ result: 'allow', status: 'Bypass user', groups: ['VPN Users'] });
    expect(await p('locked')).toEqual({ result: 'deny', status: 'Account is locked out' });
    expect(await p('newbie')).toEqual({
      result: 'enroll',
      status: 'Enroll an authentication device to proceed https://duo.test/portal?code=abc',
    });
    await client.close();
  });

  it("signs names and values the fake re-encodes itself (! ' ( ) *, space, unicode)", async () => {
    const user = "o'brien (ops)*!+é@example.com";
    fake.setUser(user, { kind: 'allow' });
    const { client } = clientFor(fake);
    const r = await client.preauth({ user, ipaddr: '10.0.0.5', failmode: 'safe' }, never());
    expect(r.result).toBe('allow');
    expect(fake.calls[0]?.body).toBe('failmode=safe&ipaddr=10.0.0.5&user=o%27brien%20%28ops%29%2A%21%2B%C3%A9%40example.com');
    expect(fake.calls[0]?.params['user']).toBe(user);
    await client.close();
  });
});

describe('POST /rest/v1/auth', () => {
  it('sends factor=auto and auto=<factor>; a push is approved', async () => {
    const { client, sink } = clientFor(fake, {}, true);
    const r = await client.auth({ user: 'jdoe', factor: 'push1', ipaddr: '10.0.0.5' }, never());
    expect(r).toEqual({ result: 'allow', status: 'Success. Logging you in...' });
    expect(fake.calls[0]).toMatchObject({ path: '/rest/v1/auth', signature: 'v1', body: 'auto=push1&factor=auto&ipaddr=10.0.0.5&user=jdoe' });
    expect(sink.texts()).toEqual([
      `http POST to https://127.0.0.1:${fake.port}/rest/v1/auth: auto=xxxxxxxx&factor=auto&ipaddr=10.0.0.5&user=jdoe`,
    ]);
    await client.close();
  });

  it('a push denied after a while is a deny result, not an error', async () => {
    fake.setUser('jdoe', { kind: 'auth', devices: [smartphone('D1')], push: { result: 'deny', afterMs: 150 } });
    const { client } = clientFor(fake);
    const r = await client.auth({ user: 'jdoe', factor: 'push', ipaddr: '0.0.0.0' }, never());
    expect(r).toEqual({ result: 'deny', status: 'Login request denied.' });
    await client.close();
  });

  it('passcodes: valid allows, invalid denies; the passcode is masked in the debug log', async () => {
    const { client, sink } = clientFor(fake, {}, true);
    expect(await client.auth({ user: 'jdoe', factor: '123456', ipaddr: '10.0.0.5' }, never())).toEqual({
      result: 'allow',
      status: 'Success. Logging you in...',
    });
    expect(await client.auth({ user: 'jdoe', factor: '654321', ipaddr: '10.0.0.5' }, never())).toEqual({
      result: 'deny',
      status: 'Incorrect passcode. Please try again.',
    });
    expect(fake.calls.map((c) => c.params['auto'])).toEqual(['123456', '654321']);
    const log = sink.lines.join('\n');
    expect(log).not.toContain('123456');
    expect(log).not.toContain('654321');
    expect(log).toContain('auto=xxxxxxxx');
    await client.close();
  });

  it('a factor longer than 2000 characters fails closed locally without a request', async () => {
    const { client } = clientFor(fake);
    const secret = '9'.repeat(2001);
    const err = await rejection(client.auth({ user: 'jdoe', factor: secret, ipaddr: '10.0.0.5' }, never()));
    expect(err).toBeInstanceOf(DuoApiError);
    expect(err).toMatchObject({ failure: 'local', stage: 'auth', code: 'AP_ERR_DUO_LOCAL', message: 'Factor or passcode length cannot exceed 2000' });
    expect((err as DuoApiError).failOpenable()).toBe(false);
    expect(fake.calls).toHaveLength(0);
    // Exactly 2000 is allowed and sent.
    const r = await client.auth({ user: 'jdoe', factor: '9'.repeat(2000), ipaddr: '10.0.0.5' }, never());
    expect(r.result).toBe('deny');
    expect(fake.calls).toHaveLength(1);
    await client.close();
  });
});

describe('credentials', () => {
  it('a wrong skey (one character flipped) is refused with 401 → http4xx, closed, no secret in the text', async () => {
    const skey = `${fake.skey.slice(0, 10)}${fake.skey[10] === 'a' ? 'b' : 'a'}${fake.skey.slice(11)}`;
    const { client, sink } = clientFor(fake, { skey }, true);
    for (const stage of ['preauth', 'auth'] as const) {
      const call =
        stage === 'preauth'
          ? client.preauth({ user: 'jdoe', ipaddr: '10.0.0.5', failmode: 'safe' }, never())
          : client.auth({ user: 'jdoe', factor: '123456', ipaddr: '10.0.0.5' }, never());
      const err = (await rejection(call)) as DuoApiError;
      expect(err).toMatchObject({ failure: 'http4xx', httpStatus: 401, duoCode: 40103, stage, code: 'AP_ERR_DUO_HTTP_4XX' });
      expect(err.message).toBe('40103: Invalid signature in request credentials');
      expect(err.failOpenable()).toBe(false);
      expect(`${err.message}\n${err.stack}`).not.toContain(skey);
    }
    expect(fake.calls.map((c) => c.signature)).toEqual(['bad', 'bad']);
    expect(sink.lines.join('\n')).not.toContain(skey);
    expect(sink.lines.join('\n')).not.toContain('123456');
    await client.close();
  });

  it('an unknown ikey is refused with 401 too', async () => {
    const { client } = clientFor(fake, { ikey: 'DIUNKNOWNUNKNOWN0000' });
    const err = (await rejection(client.preauth({ user: 'jdoe', ipaddr: '10.0.0.5', failmode: 'safe' }, never()))) as DuoApiError;
    expect(err).toMatchObject({ failure: 'http4xx', httpStatus: 401 });
    expect(fake.calls[0]?.signature).toBe('unknown-ikey');
    await client.close();
  });
});

describe('connection reuse', () => {
  it('sequential calls share one TLS connection', async () => {
    // A distinct User-Agent gives this client its own pool, so the count starts from zero.
    const { client } = clientFor(fake, { userAgent: 'authproxy/0.1.0 (reuse test)' });
    const before = fake.tlsConnections;
    for (let i = 0; i < 4; i++) {
      await client.preauth({ user: 'jdoe', ipaddr: '10.0.0.5', failmode: 'safe' }, never());
      await client.auth({ user: 'jdoe', factor: 'push1', ipaddr: '10.0.0.5' }, never());
    }
    expect(fake.calls).toHaveLength(8);
    expect(fake.tlsConnections - before).toBe(1);
    expect(new Set(fake.calls.map((c) => c.connection)).size).toBe(1);
    await client.close();
  });

  it('two clients for the same host, CA and proxy share the pool', async () => {
    const a = clientFor(fake, { userAgent: 'authproxy/0.1.0 (shared)' }).client;
    const b = clientFor(fake, { userAgent: 'authproxy/0.1.0 (shared)', ikey: fake.ikey }).client;
    const before = fake.tlsConnections;
    await a.preauth({ user: 'jdoe', ipaddr: '10.0.0.5', failmode: 'safe' }, never());
    await b.preauth({ user: 'jdoe', ipaddr: '10.0.0.5', failmode: 'safe' }, never());
    await a.close();
    await b.preauth({ user: 'jdoe', ipaddr: '10.0.0.5', failmode: 'safe' }, never());
    expect(fake.tlsConnections - before).toBe(1);
    await b.close();
    const err = (await rejection(b.preauth({ user: 'jdoe', ipaddr: '10.0.0.5', failmode: 'safe' }, never()))) as DuoApiError;
    expect(err).toMatchObject({ failure: 'local', message: 'Duo client is closed' });
  });
});
