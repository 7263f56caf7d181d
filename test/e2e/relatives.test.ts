/**
 * The relatives of [radius_server_auto] (spec §5.9), end to end over real UDP with the fake Duo
 * API: [radius_server_duo_only] (the password is the factor), [radius_server_challenge] (factor
 * menu in an Access-Challenge), [radius_server_concat] (password,factor required), and
 * [duo_only_client] behind [radius_server_auto] (password ignored, concat selects the factor).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Attr, firstValue } from '../../src/radius/dictionary.js';
import { smartphone, startFakeDuoApi, type FakeDuoApi } from '../fakes/duo-api/index.js';
import { startSlapd, type SlapdHandle } from '../harness/slapd.js';
import { slapdClientSection, startE2e, stateOf } from './env.js';

const DEVICE = smartphone('DPALICE0000000000001');

describe('radius_server_* relatives', () => {
  let slapd: SlapdHandle;
  let duo: FakeDuoApi;
  beforeAll(async () => {
    slapd = await startSlapd();
    duo = await startFakeDuoApi();
  });
  afterAll(async () => {
    await duo?.close();
    await slapd?.stop();
  });
  const user = async (groups?: string[]) => {
    await duo.reset();
    duo.setUser('alice', { kind: 'auth', devices: [DEVICE], passcodes: ['123456'], ...(groups ? { groups } : {}) });
  };
  const autoParams = () => duo.calls.filter((c) => c.endpoint === 'auth').map((c) => c.params['auto']);

  it('[radius_server_duo_only]: the whole password is the factor; groups → Class "OU=<first>;"', async () => {
    const env = await startE2e({ duo, clientSection: '', serverType: 'radius_server_duo_only' });
    try {
      await user(['vpn-users', 'admins']);
      const push = await env.login('alice', 'push');
      expect(push?.code).toBe(2);
      expect(firstValue(push!.packet.attributes, Attr.Class)?.toString()).toBe('OU=vpn-users;');
      const code = await env.login('alice', '123456');
      expect(code?.code).toBe(2);
      const bad = await env.login('alice', '999999');
      expect([bad?.code, bad?.message]).toEqual([3, 'Incorrect passcode. Please try again.']);
      expect(autoParams()).toEqual(['push', '123456', '999999']);
    } finally {
      await env.close();
    }
  });

  it('[duo_only_client] behind [radius_server_auto]: password ignored, ",push"/",123456" select the factor', async () => {
    const env = await startE2e({ duo, clientSection: '[duo_only_client]' });
    try {
      await user();
      expect((await env.login('alice', 'anything'))?.code).toBe(2);
      expect((await env.login('alice', 'anything,123456'))?.code).toBe(2);
      expect((await env.login('alice', 'alicepw,'))?.code).toBe(2);
      expect(autoParams()).toEqual(['push1', '123456', 'push1']);
    } finally {
      await env.close();
    }
  });

  it('[radius_server_challenge]: primary, then the menu as a challenge; "1" maps to push1; enrollment is refused', async () => {
    const env = await startE2e({ duo, clientSection: slapdClientSection(slapd), serverType: 'radius_server_challenge', serverOptions: 'prompt_format=short' });
    try {
      await user();
      const c = await env.login('alice', 'alicepw');
      expect(c?.code).toBe(11);
      expect(c?.message).toBe("Choose a secondary factor from ('push1', 'phone1', 'sms1') or enter passcode:");
      const ok = await env.login('alice', '1', { extra: [{ type: Attr.State, value: stateOf(c!)! }] });
      expect(ok?.code).toBe(2);
      expect(autoParams()).toEqual(['push1']);
      const c2 = await env.login('alice', 'alicepw');
      const code = await env.login('alice', '123456', { extra: [{ type: Attr.State, value: stateOf(c2!)! }] });
      expect(code?.code).toBe(2);
      const wrongPw = await env.login('alice', 'nope');
      expect([wrongPw?.code, wrongPw?.message]).toEqual([3, 'User Authentication Failed']);
      await duo.reset();
      duo.setUser('alice', { kind: 'enroll' });
      const e = await env.login('alice', 'alicepw');
      expect(e?.code).toBe(11);
      const refused = await env.login('alice', 'whatever', { extra: [{ type: Attr.State, value: stateOf(e!)! }] });
      expect([refused?.code, refused?.message]).toEqual([3, 'Please complete the enrollment process and login again']);
    } finally {
      await env.close();
    }
  });

  it('[radius_server_challenge] console format passes Duo\'s prompt through', async () => {
    const env = await startE2e({ duo, clientSection: slapdClientSection(slapd), serverType: 'radius_server_challenge' });
    try {
      await user();
      const c = await env.login('alice', 'alicepw');
      expect(c?.message).toMatch(/^Duo login for alice\n\n 1\. Duo Push to /);
    } finally {
      await env.close();
    }
  });

  it('[radius_server_concat]: password,factor required every time', async () => {
    const env = await startE2e({ duo, clientSection: slapdClientSection(slapd), serverType: 'radius_server_concat' });
    try {
      await user();
      expect((await env.login('alice', 'alicepw,push'))?.code).toBe(2);
      expect((await env.login('alice', 'alicepw'))?.message).toBe('Invalid Password');
      expect((await env.login('alice', 'alicepw,'))?.message).toBe('Invalid Password');
      expect((await env.login('alice', 'nope,push'))?.message).toBe('User Authentication Failed');
      expect(autoParams()).toEqual(['push']);
    } finally {
      await env.close();
    }
  });
});
