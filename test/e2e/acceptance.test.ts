/**
 * Spec §13 acceptance rows 4–17, end to end: real UDP, the real proxy, a real slapd (and a real
 * FreeRADIUS for rows 14–15), the fake Duo API over HTTPS — in both API dialects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Attr } from '../../src/radius/dictionary.js';
import { smartphone, startFakeDuoApi, type FakeDuoApi } from '../fakes/duo-api/index.js';
import { startFreeRadius, type FreeRadiusHandle } from '../harness/freeradius.js';
import { startSlapd, type SlapdHandle } from '../harness/slapd.js';
import { radiusClientSection, slapdClientSection, startE2e, stateOf, type E2e } from './env.js';

const SUCCESS = 'Success. Logging you in...';

describe.each([1, 2])('acceptance rows with api_version=%i', (apiVersion) => {
  let slapd: SlapdHandle;
  let duo: FakeDuoApi;
  let env: E2e;
  const preauths = () => duo.calls.filter((c) => c.endpoint === 'preauth');
  const auths = () => duo.calls.filter((c) => c.endpoint === 'auth');

  beforeAll(async () => {
    slapd = await startSlapd();
    duo = await startFakeDuoApi();
    env = await startE2e({ duo, clientSection: slapdClientSection(slapd), serverOptions: `api_version=${apiVersion}\nexempt_username_1=bob\napi_timeout=2` });
  });
  afterAll(async () => {
    await env?.close();
    await duo?.close();
    await slapd?.stop();
  });
  const reset = async () => {
    await duo.reset();
    duo.setUser('alice', { kind: 'auth', devices: [smartphone('DPALICE0000000000001')], push: { result: 'allow', status: SUCCESS }, passcodes: ['123456'] });
  };

  it('row 4: good password, push approved → Accept with Duo status, one preauth + one auth, two auth events', async () => {
    await reset();
    const before = env.events().length;
    const r = await env.login('alice', 'alicepw', { extra: [{ type: Attr.CallingStationId, value: Buffer.from('203.0.113.9') }] });
    expect(r?.code).toBe(2);
    expect(r?.message).toBe(SUCCESS);
    expect(preauths()).toHaveLength(1);
    expect(auths().filter((c) => !c.path.endsWith('auth_status'))).toHaveLength(1);
    if (apiVersion === 1) {
      expect(preauths()[0]!.params).toEqual({ user: 'alice', ipaddr: '203.0.113.9', failmode: 'safe' });
      expect(auths()[0]!.params).toEqual({ user: 'alice', factor: 'auto', auto: 'push1', ipaddr: '203.0.113.9' });
      expect(preauths()[0]!.signature).toBe('v1');
    } else {
      expect(preauths()[0]!.params['username']).toBe('alice');
      expect(auths()[0]!.params['factor']).toBe('push');
      expect(preauths()[0]!.signature).toBe('v5');
    }
    const ev = env.events().slice(before);
    expect(ev.map((e) => [e['auth_stage'], e['status']])).toEqual([['Primary authentication', 'Allow'], ['Secondary authentication', 'Allow']]);
    expect(ev[0]!['msg']).toBe('Primary authentication successful - Active Directory authentication succeeded');
    expect(ev[1]!['client_ip']).toBe('203.0.113.9');
  });

  it('row 5: password,123456 → primary with the password, auth with the passcode', async () => {
    await reset();
    const r = await env.login('alice', 'alicepw,123456');
    expect(r?.code).toBe(2);
    const a = auths()[0]!.params;
    if (apiVersion === 1) expect(a['auto']).toBe('123456');
    else expect([a['factor'], a['passcode']]).toEqual(['passcode', '123456']);
    expect(slapd.log()).not.toContain('123456');
  });

  it('row 7: wrong password → Reject "User Authentication Failed", no Duo call', async () => {
    await reset();
    const r = await env.login('alice', 'wrong');
    expect([r?.code, r?.message]).toEqual([3, 'User Authentication Failed']);
    expect(duo.calls).toHaveLength(0);
    expect(env.events().at(-1)!['msg']).toBe('Primary credentials rejected - User Authentication Failed');
  });

  it('rows 8 and 11: Duo unreachable at preauth → fail open; 503 at auth → fail open (safe)', async () => {
    await reset();
    await duo.setOutage('preauth', 'reset');
    let r = await env.login('alice', 'alicepw');
    expect([r?.code, r?.message]).toEqual([2, 'Failmode Safe - Allowed Duo login on preauth failure']);
    await reset();
    await duo.setOutage('auth', 'http503');
    r = await env.login('alice', 'alicepw');
    expect([r?.code, r?.message]).toEqual([2, 'Failmode Safe - Allowed Duo login on preauth failure']);
  });

  it('rows 9 and 10: auth timeout → Reject even under safe; preauth 401 → Reject', async () => {
    await reset();
    await duo.setOutage('auth', 'hang');
    let r = await env.login('alice', 'alicepw');
    expect([r?.code, r?.message]).toEqual([3, 'Denied Duo login due to timeout']);
    expect(env.events().at(-1)!['status']).toBe('Error');
    await reset();
    await duo.setOutage('preauth', 'http401');
    r = await env.login('alice', 'alicepw');
    expect([r?.code, r?.message]).toEqual([3, 'Failmode Secure - Denied Duo login on preauth failure']);
  });

  it('row 16: two Proxy-State attributes come back in order', async () => {
    await reset();
    const ps = [Buffer.from('first'), Buffer.from('second')];
    const r = await env.login('alice', 'alicepw', { extra: ps.map((value) => ({ type: Attr.ProxyState, value })) });
    expect(r?.packet.attributes.filter((a) => a.type === Attr.ProxyState).map((a) => a.value.toString())).toEqual(['first', 'second']);
  });

  it('row 17: exempt user → primary runs, no Duo call, Accept "User exempted from 2FA"', async () => {
    await reset();
    const r = await env.login('bob', 'bobpw');
    expect([r?.code, r?.message]).toEqual([2, 'User exempted from 2FA']);
    expect(duo.calls).toHaveLength(0);
    const wrong = await env.login('bob', 'nope');
    expect(wrong?.code).toBe(3);
  });

  it('row 12 (short): a retransmission while the push is pending gets nothing; afterwards the identical reply', async () => {
    await reset();
    duo.setUser('alice', { kind: 'auth', devices: [smartphone('DPALICE0000000000001')], push: { result: 'allow', afterMs: 1500, status: SUCCESS } });
    const { papRequest } = await import('../support/udp-client.js');
    const req = papRequest({ user: 'alice', password: 'alicepw', secret: 'nas-secret;#=:', identifier: 200 });
    env.nas.send(req, env.port);
    await new Promise((r) => setTimeout(r, 500));
    env.nas.send(req, env.port);
    const first = await env.nas.next(5000);
    expect(first).toBeDefined();
    expect(env.nas.replies).toHaveLength(0);
    env.nas.send(req, env.port);
    const again = await env.nas.next(2000);
    expect(again?.equals(first!)).toBe(true);
    expect(auths().filter((c) => !c.path.endsWith('auth_status'))).toHaveLength(1);
  });
});

describe('row 6 (delimiter inside the real password) and row 13 (passcode challenge)', () => {
  let slapd: SlapdHandle;
  let duo: FakeDuoApi;
  beforeAll(async () => {
    slapd = await startSlapd();
    duo = await startFakeDuoApi();
    duo.setUser('alice', { kind: 'auth', devices: [smartphone('DPALICE0000000000001')], passcodes: ['123456'] });
  });
  afterAll(async () => {
    await duo?.close();
    await slapd?.stop();
  });

  it('row 6: split fails primary, the whole password succeeds (two binds), factor chosen automatically', async () => {
    // With delimiter "p", "alicepw" splits into "alice" + "w": the first bind fails, the second succeeds.
    const env = await startE2e({ duo, clientSection: slapdClientSection(slapd), serverOptions: 'delimiter=p' });
    try {
      const binds = () => (slapd.log().match(/BIND dn="uid=alice,ou=people,dc=example,dc=com" method=128/g) ?? []).length; // one line per bind request
      const before = binds();
      const r = await env.login('alice', 'alicepw');
      expect([r?.code, r?.message]).toEqual([2, 'Success. Logging you in...']);
      expect(binds() - before).toBe(2);
      expect(duo.calls.find((c) => c.endpoint === 'auth')!.params['auto']).toBe('push1');
    } finally {
      await env.close();
    }
  });

  it('row 13: factors=passcode → Challenge "Enter passcode:" with a 44-char State; answer → Accept; reuse → Unknown Challenge', async () => {
    const env = await startE2e({ duo, clientSection: slapdClientSection(slapd), serverOptions: 'factors=passcode' });
    try {
      await duo.reset();
      duo.setUser('alice', { kind: 'auth', devices: [smartphone('DPALICE0000000000001')], passcodes: ['123456'] });
      const c = await env.login('alice', 'alicepw');
      expect([c?.code, c?.message]).toEqual([11, 'Enter passcode:']);
      const state = stateOf(c!)!;
      expect(state.toString().length).toBe(44);
      const extra = [{ type: Attr.State, value: state }];
      const ok = await env.login('alice', '123456', { extra });
      expect(ok?.code).toBe(2);
      expect(duo.calls.filter((x) => x.endpoint === 'preauth')).toHaveLength(2);
      expect(duo.calls.find((x) => x.endpoint === 'auth')!.params['auto']).toBe('123456');
      const reuse = await env.login('alice', '123456', { extra });
      expect([reuse?.code, reuse?.message]).toEqual([3, 'Unknown Challenge']);
    } finally {
      await env.close();
    }
  });
});

describe('rows 14–15: [radius_client] upstream (real FreeRADIUS)', () => {
  let fr: FreeRadiusHandle;
  let env: E2e;
  beforeAll(async () => {
    fr = await startFreeRadius();
    env = await startE2e({ clientSection: radiusClientSection(fr), serverOptions: 'exempt_username_1=bob\nexempt_username_2=nobody\nexempt_username_3=slow' });
  });
  afterAll(async () => {
    await env?.close();
    await fr?.stop();
  });

  it('row 14: upstream silent → after retries, Reject with the timeout text', async () => {
    const t0 = Date.now();
    const r = await env.login('slow', 'x', { timeoutMs: 15_000 });
    expect([r?.code, r?.message]).toEqual([3, 'Error performing primary authentication: RADIUS auth request timed out']);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(3900); // 4 transmissions, retry_wait=1
    expect(env.authLog()).toContain('Request timeout for (outgoing) id');
  }, 20_000);

  it('row 15: upstream Access-Reject without Reply-Message → "No reply message in packet"', async () => {
    const r = await env.login('nobody', 'x');
    expect([r?.code, r?.message]).toEqual([3, 'No reply message in packet']);
  });

  it('upstream accept for an exempt user: Accept "User exempted from 2FA"', async () => {
    const r = await env.login('bob', 'bobpw');
    expect([r?.code, r?.message]).toEqual([2, 'User exempted from 2FA']);
  });
});
