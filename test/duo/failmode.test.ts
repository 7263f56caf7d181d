/**
 * The failmode class table (spec §5.7, §6.1 "Response judgement") end to end: every outage the
 * fake Duo API can play, at preauth and at auth, in both dialects, must reject with the right
 * `failure` and `failOpenable()`.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DuoClient } from '../../src/duo/client.js';
import { DuoApiError } from '../../src/duo/errors.js';
import type { DuoFailure } from '../../src/duo/types.js';
import { smartphone, startFakeDuoApi } from '../fakes/duo-api/index.js';
import type { FakeDuoApi, OutageMode } from '../fakes/duo-api/index.js';
import { clientFor, never, rejection } from './helpers.js';

let fake: FakeDuoApi;
const clients: Record<1 | 2, DuoClient> = {} as Record<1 | 2, DuoClient>;

beforeAll(async () => {
  fake = await startFakeDuoApi({ longPollMs: 50 });
  // api_timeout 0.5 s so that `hang` costs little; connect/TLS failures are immediate on loopback.
  clients[1] = clientFor(fake, { apiTimeoutSec: 0.5 }).client;
  clients[2] = clientFor(fake, { apiTimeoutSec: 0.5, apiVersion: 2, pollIntervalMs: 20 }).client;
});
afterAll(async () => {
  await clients[1].close();
  await clients[2].close();
  await fake.close();
});
beforeEach(async () => {
  await fake.reset();
  fake.setUser('jdoe', { kind: 'auth', devices: [smartphone('DP1')] });
});

/** mode → expected class, and whether it may fail open at preauth / at auth. */
const TABLE: [OutageMode, DuoFailure, boolean, boolean][] = [
  ['refuse', 'transport', true, false],
  ['reset', 'transport', true, false],
  ['hang', 'timeout', true, false],
  ['http500', 'http5xx', true, true],
  ['http503', 'http5xx', true, true],
  ['http400', 'http4xx', false, false],
  ['http401', 'http4xx', false, false],
  ['http429', 'http4xx', false, false],
  // A 200 whose body is not JSON is "Invalid Remote API Response": closed (spec §5.7 last row).
  ['malformed-json', 'fail', false, false],
  ['wrong-stat', 'malformed', true, true],
  ['missing-fields', 'malformed', true, true],
  ['empty-response', 'malformed', true, true],
  ['fail-200', 'fail', false, false],
];

const preauth = (v: 1 | 2): Promise<unknown> => clients[v].preauth({ user: 'jdoe', ipaddr: '10.0.0.5', failmode: 'safe' }, never());
const auth = (v: 1 | 2): Promise<unknown> => clients[v].auth({ user: 'jdoe', factor: 'push1', ipaddr: '10.0.0.5' }, never());

for (const version of [1, 2] as const) {
  describe(`api_version ${version}`, () => {
    for (const [mode, failure, preOpen, authOpen] of TABLE) {
      it(`${mode} at preauth → ${failure}, ${preOpen ? 'fail-open-able' : 'closed'}`, async () => {
        // `refuse` on every endpoint closes the listener; on one endpoint it drops the socket.
        await fake.setOutage(mode === 'refuse' ? 'all' : 'preauth', mode);
        const err = await rejection(preauth(version));
        expect(err).toBeInstanceOf(DuoApiError);
        expect(err).toMatchObject({ failure, stage: 'preauth' });
        expect((err as DuoApiError).failOpenable()).toBe(preOpen);
      });

      it(`${mode} at auth only → ${failure}, ${authOpen ? 'fail-open-able' : 'closed'}`, async () => {
        await expect(preauth(version)).resolves.toMatchObject({ result: 'auth' });
        await fake.setOutage(mode === 'refuse' ? 'all' : 'auth', mode);
        const err = await rejection(auth(version));
        expect(err).toBeInstanceOf(DuoApiError);
        expect(err).toMatchObject({ failure, stage: 'auth' });
        expect((err as DuoApiError).failOpenable()).toBe(authOpen);
      });
    }
  });
}

describe('v2 polling stage failures', () => {
  it('an outage on auth_status alone fails the auth stage', async () => {
    fake.setUser('jdoe', { kind: 'auth', devices: [smartphone('DP1')], push: { result: 'allow', afterMs: 2000 } });
    await preauth(2);
    await fake.setOutage('auth_status', 'http503');
    const err = (await rejection(auth(2))) as DuoApiError;
    expect(err).toMatchObject({ failure: 'http5xx', stage: 'auth', httpStatus: 503, duoCode: 50301 });
    expect(fake.calls.map((c) => c.path)).toEqual(['/auth/v2/preauth', '/auth/v2/auth', '/auth/v2/auth_status']);
  });
});

describe('messages in Duo words', () => {
  it('texts per class', async () => {
    const cases: [OutageMode, string | RegExp][] = [
      ['http500', 'API request failed: HTTP Error 500'],
      ['http429', '42901: Too Many Requests'],
      ['malformed-json', `Invalid Remote API Response: b'{"stat": "OK", "response": {"result": "al'`],
      ['wrong-stat', 'Malformed API Response'],
      ['hang', 'API request timed out after 0.5 seconds'],
      ['reset', /^API request failed: /],
    ];
    for (const [mode, text] of cases) {
      await fake.setOutage('preauth', mode);
      const err = (await rejection(preauth(1))) as DuoApiError;
      if (typeof text === 'string') expect(err.message).toBe(text);
      else expect(err.message).toMatch(text);
    }
    await fake.setOutage('all', 'refuse');
    expect(((await rejection(preauth(1))) as DuoApiError).message).toMatch(/^API request failed: .*ECONNREFUSED/);
  });
});
