/**
 * The skey and the passcode never reach a log line or an error (message, stack, cause chain),
 * whatever the outcome: every outage mode, both dialects, with debug logging on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuoApiError } from '../../src/duo/errors.js';
import { describeError, memoryLogger } from '../../src/log/logger.js';
import { smartphone, startFakeDuoApi } from '../fakes/duo-api/index.js';
import type { FakeDuoApi, OutageMode } from '../fakes/duo-api/index.js';
import { clientFor, never } from './helpers.js';

const PASSCODE = '86753091';
const MODES: OutageMode[] = [
  'reset', 'hang', 'http500', 'http503', 'http400', 'http401', 'http429',
  'malformed-json', 'wrong-stat', 'missing-fields', 'empty-response', 'fail-200',
];

let fake: FakeDuoApi;
beforeAll(async () => {
  fake = await startFakeDuoApi();
});
afterAll(async () => {
  await fake.close();
});

describe('no secret in any text', () => {
  for (const apiVersion of [1, 2] as const) {
    it(`api_version ${apiVersion}: all outcomes`, async () => {
      const texts: string[] = [];
      const { client, sink } = clientFor(fake, { apiVersion, apiTimeoutSec: 0.2, userAgent: `secrets-${apiVersion}` }, true);
      const record = async (p: Promise<unknown>): Promise<void> => {
        try {
          texts.push(JSON.stringify(await p));
        } catch (err) {
          expect(err).toBeInstanceOf(DuoApiError);
          texts.push(describeError(err), String(err), JSON.stringify(err));
        }
      };
      fake.setUser('jdoe', { kind: 'auth', devices: [smartphone('D1')], passcodes: [PASSCODE] });
      await record(client.auth({ user: 'jdoe', factor: PASSCODE, ipaddr: '10.0.0.5' }, never()));
      for (const mode of MODES) {
        await fake.setOutage('auth', mode);
        await record(client.auth({ user: 'jdoe', factor: PASSCODE, ipaddr: '10.0.0.5' }, never()));
      }
      await fake.reset();
      const flipped = clientFor(fake, { apiVersion, skey: `${fake.skey.slice(0, -1)}#`, log: memoryLogger(true).log }).client;
      await record(flipped.preauth({ user: 'jdoe', ipaddr: '10.0.0.5', failmode: 'safe' }, never()));
      await record(flipped.auth({ user: 'jdoe', factor: PASSCODE, ipaddr: '10.0.0.5' }, never()));
      await flipped.close();
      await client.close();

      const all = [...texts, ...sink.lines].join('\n');
      expect(texts.length).toBeGreaterThan(MODES.length);
      expect(sink.lines.length).toBeGreaterThan(MODES.length);
      expect(all).not.toContain(fake.skey);
      expect(all).not.toContain(fake.skey.slice(0, -1));
      expect(all).not.toContain(PASSCODE);
      expect(all).not.toMatch(/authorization|Basic [A-Za-z0-9+/=]{20,}/i);
    });
  }
});
