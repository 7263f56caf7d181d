/**
 * Every cell of the failmode matrix (spec §5.7, 5.0.0 texts), end to end: each outage the fake
 * Duo API can play, at preauth and at auth, under `safe` and `secure`, in both API dialects.
 * Primary is a real slapd; the NAS talks real UDP to the running proxy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smartphone, startFakeDuoApi, type FakeDuoApi, type OutageMode } from '../fakes/duo-api/index.js';
import { startSlapd, type SlapdHandle } from '../harness/slapd.js';
import { slapdClientSection, startE2e, type E2e } from './env.js';

const OPEN = 'Failmode Safe - Allowed Duo login on preauth failure';
const PRE = 'Failmode Secure - Denied Duo login on preauth failure';
const AUTH = 'Denied Duo login on auth failure';
const TIMEOUT = 'Denied Duo login due to timeout';

/** mode → [preauth/safe, preauth/secure, auth/safe, auth/secure] expected Reply-Message. */
const MATRIX: Array<[OutageMode, string, string, string, string]> = [
  ['reset', OPEN, PRE, AUTH, AUTH], // TCP/TLS error: no HTTP answer
  ['hang', OPEN, PRE, TIMEOUT, TIMEOUT], // timeout (api_timeout=1)
  ['http500', OPEN, PRE, OPEN, AUTH], // 5xx, body not JSON
  ['http503', OPEN, PRE, OPEN, AUTH], // 5xx with JSON FAIL
  ['http400', PRE, PRE, AUTH, AUTH],
  ['http401', PRE, PRE, AUTH, AUTH],
  ['http429', PRE, PRE, AUTH, AUTH], // rate limit: closed
  ['malformed-json', PRE, PRE, AUTH, AUTH], // 200 whose body is not JSON: "any other status → closed"
  ['wrong-stat', OPEN, PRE, OPEN, AUTH],
  ['missing-fields', OPEN, PRE, OPEN, AUTH],
  ['empty-response', OPEN, PRE, OPEN, AUTH],
  ['fail-200', PRE, PRE, AUTH, AUTH], // HTTP 200 with stat FAIL: closed
];

describe.each([1, 2])('failmode matrix, api_version=%i', (apiVersion) => {
  let slapd: SlapdHandle;
  let duo: FakeDuoApi;
  const envs: Record<string, E2e> = {};

  beforeAll(async () => {
    slapd = await startSlapd();
    duo = await startFakeDuoApi();
    for (const failmode of ['safe', 'secure']) {
      envs[failmode] = await startE2e({
        duo,
        clientSection: slapdClientSection(slapd),
        serverOptions: `failmode=${failmode}\napi_version=${apiVersion}\napi_timeout=1`,
      });
    }
  }, 60_000);
  afterAll(async () => {
    for (const e of Object.values(envs)) await e.close();
    await duo?.close();
    await slapd?.stop();
  });

  for (const [mode, ...expected] of MATRIX) {
    it(`${mode}`, async () => {
      const got: string[] = [];
      for (const stage of ['preauth', 'auth'] as const) {
        for (const failmode of ['safe', 'secure']) {
          await duo.reset();
          duo.setUser('alice', { kind: 'auth', devices: [smartphone('DPALICE0000000000001')] });
          await duo.setOutage(stage, mode);
          const r = await envs[failmode]!.login('alice', 'alicepw');
          expect(r, `${stage}/${failmode}: no reply`).toBeDefined();
          // Accept exactly when the text is the fail-open one.
          expect(r!.code, `${stage}/${failmode}`).toBe(r!.message === OPEN ? 2 : 3);
          got.push(r!.message ?? '');
        }
      }
      expect(got).toEqual(expected);
    }, 20_000);
  }

  it('refused connections (listener down) at preauth: open under safe, closed under secure', async () => {
    await duo.reset();
    await duo.setOutage('all', 'refuse');
    try {
      expect((await envs['safe']!.login('alice', 'alicepw'))?.message).toBe(OPEN);
      expect((await envs['secure']!.login('alice', 'alicepw'))?.message).toBe(PRE);
    } finally {
      await duo.setOutage('all', null);
    }
  });

  it('fail-open accepts carry the primary result; closed ones write a Secondary Error event at auth', async () => {
    await duo.reset();
    duo.setUser('alice', { kind: 'auth', devices: [smartphone('DPALICE0000000000001')] });
    await duo.setOutage('auth', 'reset');
    await envs['safe']!.login('alice', 'alicepw');
    const ev = envs['safe']!.events().at(-1)!;
    expect([ev['auth_stage'], ev['status'], ev['msg']]).toEqual(['Secondary authentication', 'Error', AUTH]);
  });
});
