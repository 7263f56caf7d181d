/**
 * The guard end to end: the real proxy (runProxy, real UDP) with a real slapd and the fake Duo
 * API. A user locked by `user_tries_before_lockout` is refused with the lockout Reply-Message and
 * the directory never sees the attempt (no BIND in slapd's stats log); other users are
 * unaffected; `user_max_pushes_per_window` stops pushes without a Duo auth call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuardMsg } from '../../src/guard/messages.js';
import { smartphone, startFakeDuoApi, type FakeDuoApi } from '../fakes/duo-api/index.js';
import { startSlapd, type SlapdHandle } from '../harness/slapd.js';
import { slapdClientSection, startE2e, type E2e } from '../e2e/env.js';

const SUCCESS = 'Success. Logging you in...';

/** `BIND dn="<dn>" method=128` lines (simple binds) in slapd's stats log, optionally for one DN. */
function binds(slapd: SlapdHandle, dn?: string): number {
  return slapd.log().split('\n').filter((l) => / BIND dn="[^"]*" method=128/.test(l) && (dn === undefined || l.includes(`dn="${dn}"`))).length;
}

describe('guard through the real proxy and slapd', () => {
  let slapd: SlapdHandle;
  let duo: FakeDuoApi;
  let env: E2e;

  beforeAll(async () => {
    slapd = await startSlapd();
    duo = await startFakeDuoApi();
    env = await startE2e({
      duo,
      clientSection: slapdClientSection(slapd),
      serverOptions: 'user_tries_before_lockout=3\nuser_lockout_minutes=5\nuser_max_pushes_per_window=2\napi_timeout=5',
    });
  });
  afterAll(async () => {
    await env?.close();
    await duo?.close();
    await slapd?.stop();
  });

  it('three wrong passwords lock bob; the right password is then refused without any LDAP bind', async () => {
    const bob = slapd.users.bob.dn;
    for (let i = 0; i < 3; i++) {
      const r = await env.login('bob', `wrong${i}`);
      expect([r?.code, r?.message]).toEqual([3, 'User Authentication Failed']);
    }
    expect(binds(slapd, bob)).toBe(3);
    const before = binds(slapd);
    const r = await env.login('bob', 'bobpw');
    expect([r?.code, r?.message]).toEqual([3, GuardMsg.locked]);
    await new Promise((res) => setTimeout(res, 200)); // let a (wrong) late bind show up in the log
    expect(binds(slapd)).toBe(before);
    expect(binds(slapd, bob)).toBe(3);
    expect(duo.calls).toHaveLength(0);
    expect(env.authLog()).toMatch(/bob, \d+\): user locked after 3 failed logins \(user_tries_before_lockout\), \d+ s left: rejecting without contacting the primary server/);
    expect(env.events().at(-1)).toMatchObject({ username: 'bob', auth_stage: 'Primary authentication', status: 'Reject', msg: GuardMsg.locked });
  });

  it('other users are unaffected', async () => {
    duo.setUser('alice', { kind: 'auth', devices: [smartphone('DPALICE0000000000001')], push: { result: 'allow', status: SUCCESS } });
    const r = await env.login('alice', 'alicepw');
    expect([r?.code, r?.message]).toEqual([2, SUCCESS]);
  });

  it('push bombing: after two denied pushes the third login is rejected without a Duo auth call', async () => {
    await duo.reset();
    duo.setUser('alice', { kind: 'auth', devices: [smartphone('DPALICE0000000000001')], push: { result: 'deny', status: 'Login request denied.' } });
    for (let i = 0; i < 2; i++) expect((await env.login('alice', 'alicepw'))?.message).toBe('Login request denied.');
    const r = await env.login('alice', 'alicepw');
    expect([r?.code, r?.message]).toEqual([3, GuardMsg.tooManyPushes]);
    expect(duo.calls.filter((c) => c.endpoint === 'auth')).toHaveLength(2);
    expect(env.proxy.proxy.inflight).toBe(0);
  });
});
