/**
 * The `/auth/v2` dialect (spec §6.3): v5 and v2 signatures checked by the fake, the v1 → v2
 * factor mapping, async auth with `auth_status` polling, ping and check.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DuoApiError } from '../../src/duo/errors.js';
import { featurePhone, landline, smartphone, startFakeDuoApi } from '../fakes/duo-api/index.js';
import type { FakeDuoApi } from '../fakes/duo-api/index.js';
import { clientFor, never, rejection } from './helpers.js';

let fake: FakeDuoApi;
beforeAll(async () => {
  fake = await startFakeDuoApi({ longPollMs: 0, maxSkewSec: 60 });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(async () => {
  await fake.reset();
  fake.setUser('jdoe', {
    kind: 'auth',
    devices: [landline('DLAND'), smartphone('DPHONE1'), featurePhone('DFEAT'), smartphone('DPHONE2', 'XXX-XXX-2222')],
    passcodes: ['123456'],
  });
});

const v2 = (extra: Parameters<typeof clientFor>[1] = {}, debug = false) =>
  clientFor(fake, { apiVersion: 2, pollIntervalMs: 50, ...extra }, debug);

describe('preauth', () => {
  it('is signed v5 with a canonical JSON body and mapped to v1 factors and prompt', async () => {
    const { client } = v2();
    const r = await client.preauth({ user: 'jdoe', ipaddr: '10.0.0.5', failmode: 'safe' }, never());
    expect(r).toEqual({
      result: 'auth',
      status: 'Account is active',
      factors: { default: 'push1', '1': 'phone1', '2': 'push1', '3': 'phone2', '4': 'sms1', '5': 'phone3', '6': 'sms2', '7': 'push2', '8': 'phone4', '9': 'sms3' },
      prompt:
        'Duo login for jdoe\n\n 1. Phone call to XXX-XXX-5678\n 2. Duo Push to XXX-XXX-1234\n 3. Phone call to XXX-XXX-1234\n' +
        ' 4. SMS passcodes to XXX-XXX-1234\n 5. Phone call to XXX-XXX-9012\n 6. SMS passcodes to XXX-XXX-9012\n' +
        ' 7. Duo Push to XXX-XXX-2222\n 8. Phone call to XXX-XXX-2222\n 9. SMS passcodes to XXX-XXX-2222\n\nPasscode or option (1-9): ',
    });
    const call = fake.calls[0];
    expect(call).toMatchObject({ method: 'POST', path: '/auth/v2/preauth', signature: 'v5', body: '{"ipaddr":"10.0.0.5","username":"jdoe"}' });
    expect(call?.headers['content-type']).toBe('application/json');
    expect(call?.headers['date']).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} -0000$/);
    await client.close();
  });

  it('does not send a non-IP ipaddr (v2 refuses it)', async () => {
    const { client } = v2();
    await client.preauth({ user: 'jdoe', ipaddr: '00-11-22-33-44-55', failmode: 'safe' }, never());
    expect(fake.calls[0]?.params).toEqual({ username: 'jdoe' });
    await client.close();
  });

  it('maps allow/deny and appends the enrollment link', async () => {
    fake.setUser('newbie', { kind: 'enroll', status: 'Enroll now', enrollUrl: 'https://duo.test/portal?code=1' });
    fake.setUser('bypass', { kind: 'allow', status: 'Bypass user' });
    const { client } = v2();
    const p = (user: string) => client.preauth({ user, ipaddr: '10.0.0.5', failmode: 'safe' }, never());
    expect(await p('newbie')).toEqual({ result: 'enroll', status: 'Enroll now https://duo.test/portal?code=1' });
    expect(await p('bypass')).toEqual({ result: 'allow', status: 'Bypass user' });
    await client.close();
  });
});

describe('auth', () => {
  it('push2 → factor=push on the second push-capable device, async, polled until allowed', async () => {
    fake.setUser('jdoe', { kind: 'auth', devices: [smartphone('DPHONE1'), smartphone('DPHONE2')], push: { result: 'allow', afterMs: 300 } });
    const { client } = v2();
    await client.preauth({ user: 'jdoe', ipaddr: '10.0.0.5', failmode: 'safe' }, never());
    const r = await client.auth({ user: 'jdoe', factor: 'push2', ipaddr: '10.0.0.5' }, never());
    expect(r).toEqual({ result: 'allow', status: 'Success. Logging you in...' });
    const [, post, ...polls] = fake.calls;
    expect(post?.params).toEqual({ async: '1', device: 'DPHONE2', factor: 'push', ipaddr: '10.0.0.5', username: 'jdoe' });
    expect(polls.length).toBeGreaterThanOrEqual(2);
    // Not a busy loop: at most one poll per interval (50 ms) over ~300 ms, each with the txid.
    expect(polls.length).toBeLessThanOrEqual(10);
    for (const p of polls) expect(p).toMatchObject({ method: 'GET', path: '/auth/v2/auth_status', signature: 'v5' });
    expect(new Set(polls.map((p) => p.params['txid'])).size).toBe(1);
    await client.close();
  });

  it('phone1 → the first phone-capable device; bare push → device=auto; auto → auto/auto', async () => {
    const { client } = v2();
    await client.preauth({ user: 'jdoe', ipaddr: '10.0.0.5', failmode: 'safe' }, never());
    for (const factor of ['phone1', 'push', 'auto']) {
      expect(await client.auth({ user: 'jdoe', factor, ipaddr: '10.0.0.5' }, never())).toMatchObject({ result: 'allow' });
    }
    const posts = fake.calls.filter((c) => c.path === '/auth/v2/auth').map((c) => [c.params['factor'], c.params['device']]);
    expect(posts).toEqual([['phone', 'DLAND'], ['push', 'auto'], ['auto', 'auto']]);
    await client.close();
  });

  it('passcodes go synchronously as factor=passcode; the passcode stays out of the log', async () => {
    const { client, sink } = v2({}, true);
    expect(await client.auth({ user: 'jdoe', factor: '123456', ipaddr: '10.0.0.5' }, never())).toEqual({ result: 'allow', status: 'Success. Logging you in...' });
    expect(await client.auth({ user: 'jdoe', factor: '999999', ipaddr: '10.0.0.5' }, never())).toEqual({
      result: 'deny',
      status: 'Incorrect passcode. Please try again.',
    });
    expect(fake.calls.map((c) => c.params)).toEqual([
      { factor: 'passcode', ipaddr: '10.0.0.5', passcode: '123456', username: 'jdoe' },
      { factor: 'passcode', ipaddr: '10.0.0.5', passcode: '999999', username: 'jdoe' },
    ]);
    const log = sink.texts().join('\n');
    expect(log).toContain('"passcode":"xxxxxxxx"');
    expect(log).not.toContain('123456');
    expect(log).not.toContain('999999');
    await client.close();
  });

  it('sms is answered at once with deny "New SMS passcodes sent."', async () => {
    const { client } = v2();
    expect(await client.auth({ user: 'jdoe', factor: 'sms', ipaddr: '10.0.0.5' }, never())).toEqual({ result: 'deny', status: 'New SMS passcodes sent.' });
    expect(fake.calls[0]?.params['async']).toBeUndefined();
    await client.close();
  });

  it('pushN without a preauth first fetches the devices itself', async () => {
    const { client } = v2();
    expect(await client.auth({ user: 'jdoe', factor: 'push2', ipaddr: '10.0.0.5' }, never())).toMatchObject({ result: 'allow' });
    expect(fake.calls.slice(0, 2).map((c) => c.path)).toEqual(['/auth/v2/preauth', '/auth/v2/auth']);
    expect(fake.calls[1]?.params['device']).toBe('DPHONE2');
    await client.close();
  });

  it('a device number the user does not have fails closed locally', async () => {
    const { client } = v2();
    await client.preauth({ user: 'jdoe', ipaddr: '10.0.0.5', failmode: 'safe' }, never());
    const err = (await rejection(client.auth({ user: 'jdoe', factor: 'push7', ipaddr: '10.0.0.5' }, never()))) as DuoApiError;
    expect(err).toMatchObject({ failure: 'local', stage: 'auth' });
    expect(err.failOpenable()).toBe(false);
    expect(fake.calls).toHaveLength(1);
    await client.close();
  });

  it('api_timeout bounds the whole polled auth; it is a closed timeout', async () => {
    fake.setUser('jdoe', { kind: 'auth', devices: [smartphone('D1')], push: { result: 'allow', afterMs: 10_000 } });
    const { client } = v2({ apiTimeoutSec: 0.4 });
    const err = (await rejection(client.auth({ user: 'jdoe', factor: 'push', ipaddr: '10.0.0.5' }, never()))) as DuoApiError;
    expect(err).toMatchObject({ failure: 'timeout', stage: 'auth', code: 'AP_ERR_DUO_TIMEOUT' });
    expect(err.failOpenable()).toBe(false);
    await client.close();
  });

  it('the caller can abort while polling', async () => {
    fake.setUser('jdoe', { kind: 'auth', devices: [smartphone('D1')], push: { result: 'allow', afterMs: 10_000 } });
    const { client } = v2();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 150);
    const err = (await rejection(client.auth({ user: 'jdoe', factor: 'push', ipaddr: '10.0.0.5' }, ac.signal))) as DuoApiError;
    expect(err).toMatchObject({ failure: 'local', stage: 'auth', message: 'API request aborted' });
    await client.close();
  });
});

describe('signature v2 and the connectivity calls', () => {
  it('signatureVersion 2 sends form bodies signed HMAC-SHA512, or SHA1 on request', async () => {
    for (const [digest, verdict] of [['sha512', 'v2-sha512'], ['sha1', 'v2-sha1']] as const) {
      await fake.reset();
      fake.setUser('jdoe', { kind: 'allow' });
      const { client } = v2({ signatureVersion: 2, v2Digest: digest, userAgent: `ua-${digest}` });
      await client.preauth({ user: "o'brien", ipaddr: '10.0.0.5', failmode: 'safe' }, never());
      expect(fake.calls[0]).toMatchObject({ signature: verdict, body: 'ipaddr=10.0.0.5&username=o%27brien' });
      expect(fake.calls[0]?.headers['content-type']).toBe('application/x-www-form-urlencoded');
      await client.check();
      expect(fake.calls[1]).toMatchObject({ method: 'GET', path: '/auth/v2/check', signature: verdict });
      await client.close();
    }
  });

  it('ping (unsigned) and check (signed) return Duo time', async () => {
    const { client } = clientFor(fake); // api_version 1 clients can run the connectivity check too
    const now = Date.now() / 1000;
    const ping = await client.ping();
    const check = await client.check();
    expect(Math.abs(ping.time - now)).toBeLessThan(5);
    expect(Math.abs(check.time - now)).toBeLessThan(5);
    expect(fake.calls.map((c) => [c.path, c.signature])).toEqual([['/auth/v2/ping', 'none'], ['/auth/v2/check', 'v5']]);
    expect(fake.calls[0]?.headers['authorization']).toBeUndefined();
    await client.close();
  });

  it('a clock far off makes Duo refuse the signed Date (401, closed)', async () => {
    const { client } = v2({ clock: () => new Date(Date.now() - 3600_000) });
    const err = (await rejection(client.check())) as DuoApiError;
    expect(err).toMatchObject({ failure: 'http4xx', httpStatus: 401, stage: 'check' });
    await client.close();
  });
});
