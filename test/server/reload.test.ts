/**
 * Reload (our extension): a new config is swapped in while a push is pending; the pending login
 * completes on the old configuration with exactly one Duo auth call (its retransmissions are still
 * absorbed), new logins see the new configuration, and a bad config leaves the running one alone.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smartphone } from '../fakes/duo-api/index.js';
import { papRequest } from '../support/udp-client.js';
import { Attr } from '../../src/radius/dictionary.js';
import { NAS_SECRET, startE2e, stateOf, type E2e } from '../e2e/env.js';

describe('reload without dropping logins in flight', () => {
  let env: E2e;
  const cfgPath = () => join(env.dir, 'authproxy.cfg');
  beforeAll(async () => {
    env = await startE2e({ clientSection: '[duo_only_client]' });
  });
  afterAll(async () => {
    await env?.close();
  });

  it('a pending push completes across a reload; new logins use the new config', async () => {
    env.duo.setUser('alice', { kind: 'auth', devices: [smartphone('DPALICE0000000000001')], push: { result: 'allow', afterMs: 1500 } });
    env.duo.setUser('bob', { kind: 'auth', devices: [smartphone('DPBOB000000000000001')] });
    const req = papRequest({ user: 'alice', password: 'pw', secret: NAS_SECRET, identifier: 9 });
    env.nas.send(req, env.port);
    await new Promise((r) => setTimeout(r, 300));
    writeFileSync(cfgPath(), readFileSync(cfgPath(), 'utf8') + 'exempt_username_1=bob\n');
    const oldProxy = env.proxy.proxy;
    expect(await env.proxy.reload()).toEqual({ ok: true });
    expect(env.proxy.proxy).not.toBe(oldProxy);
    env.nas.send(req, env.port); // a retransmission after the reload: still absorbed
    const reply = await env.nas.next(5000);
    expect(env.decode(reply!, req).code).toBe(2);
    expect(env.duo.calls.filter((c) => c.endpoint === 'auth' && c.params['user'] === 'alice')).toHaveLength(1);
    const bob = await env.login('bob', 'pw');
    expect([bob?.code, bob?.message]).toEqual([2, 'User exempted from 2FA']);
    expect(env.authLog()).toContain('Reload complete');
  });

  it('an invalid config is refused with its errors; the running config keeps serving', async () => {
    const good = readFileSync(cfgPath(), 'utf8');
    writeFileSync(cfgPath(), good + 'failmode=sometimes\n');
    const r = await env.proxy.reload();
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors.join('\n')).toMatch(/authproxy\.cfg:\d+: \[radius_server_auto\] option 'failmode'/);
    expect((await env.login('bob', 'pw'))?.message).toBe('User exempted from 2FA');
    writeFileSync(cfgPath(), good);
  });

  it('an Enter passcode: challenge issued before the reload is answered after it', async () => {
    const good = readFileSync(cfgPath(), 'utf8');
    writeFileSync(cfgPath(), good + 'factors=passcode\n');
    expect((await env.proxy.reload()).ok).toBe(true);
    env.duo.setUser('carol', { kind: 'auth', devices: [smartphone('DPCAROL0000000000001')], passcodes: ['246810'] });
    const c = await env.login('carol', 'pw');
    expect([c?.code, c?.message]).toEqual([11, 'Enter passcode:']);
    writeFileSync(cfgPath(), good + 'factors=passcode\nexempt_username_2=dave\n');
    expect((await env.proxy.reload()).ok).toBe(true);
    const answer = await env.login('carol', '246810', { extra: [{ type: Attr.State, value: stateOf(c!)! }] });
    expect(answer?.code).toBe(2);
    writeFileSync(cfgPath(), good);
    expect((await env.proxy.reload()).ok).toBe(true);
  });

  it('a changed port needs a restart: refused, nothing changes', async () => {
    const good = readFileSync(cfgPath(), 'utf8');
    writeFileSync(cfgPath(), good.replace(/^port=\d+$/m, 'port=1'));
    const r = await env.proxy.reload();
    expect(!r.ok && r.errors[0]).toMatch(/restart to apply/);
    expect((await env.login('bob', 'pw'))?.code).toBe(2);
    writeFileSync(cfgPath(), good);
  });
});
