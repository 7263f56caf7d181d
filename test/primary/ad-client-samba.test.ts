/**
 * `[ad_client]` against a real Active Directory (a throwaway Samba AD DC): AD name forms,
 * `memberOf` and primary-group membership via the group's objectSid RID, and AD's bind errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, EqualityFilter, AndFilter } from 'ldapts';
import { startSambaAd, type SambaAdHandle } from '../harness/samba-ad.js';
import type { AdClientOptions } from '../../src/primary/ad-client.js';
import { NEVER, allSinks, login, makeClient } from './ad-client-fixtures.js';

let ad: SambaAdHandle;

beforeAll(async () => {
  ad = await startSambaAd();
});
afterAll(async () => {
  await ad?.stop();
});

const ACCEPT = { status: 'accept', message: 'Active Directory authentication succeeded', attributes: [] };
const reject = (message: string) => ({ status: 'reject', message, attributes: [] });

/** AD defaults: sAMAccountName / userPrincipalName, service account given as its UPN. */
function options(over: Partial<Omit<AdClientOptions, 'log' | 'name'>> = {}): Omit<AdClientOptions, 'log' | 'name'> {
  return {
    hosts: [ad.ip],
    serviceAccountUsername: ad.serviceAccount.upn,
    serviceAccountPassword: ad.serviceAccount.password,
    searchDn: ad.baseDn,
    authType: 'plain',
    timeoutSec: 5,
    ...over,
  };
}

async function once(over: Parameters<typeof options>[0], user: string, password: string) {
  const { client, texts } = makeClient(options(over));
  try {
    return { result: await client.authenticate(login(user, password), NEVER), texts: texts() };
  } finally {
    await client.close();
  }
}

describe('AD name forms', () => {
  it('sAMAccountName', async () => {
    expect((await once({}, 'alice', 'alicepw')).result).toEqual(ACCEPT);
  });

  it('DOMAIN\\user is split and matched on sAMAccountName', async () => {
    expect((await once({}, ad.users.alice.netbiosName, 'alicepw')).result).toEqual(ACCEPT);
  });

  it('user@realm is matched whole on userPrincipalName (at_attribute)', async () => {
    expect((await once({}, ad.users.alice.upn, 'alicepw')).result).toEqual(ACCEPT);
    // With at_attribute pointing elsewhere the same name no longer matches.
    expect((await once({ atAttribute: 'mail' }, ad.users.bob.upn, 'bobpw')).result).toEqual(reject('Invalid User'));
  });

  it('service account as DOMAIN\\user or as bind_dn works too', async () => {
    expect((await once({ serviceAccountUsername: ad.serviceAccount.netbiosName }, 'bob', 'bobpw')).result).toEqual(ACCEPT);
    expect((await once({ serviceAccountUsername: 'x', bindDn: ad.serviceAccount.dn }, 'bob', 'bobpw')).result).toEqual(ACCEPT);
  });

  it('LDAPS and StartTLS with the DC certificate verified against the test CA', async () => {
    const tls = { caCertsFile: ad.caFile };
    expect((await once({ ...tls, transport: 'ldaps' }, 'alice', 'alicepw')).result).toEqual(ACCEPT);
    expect((await once({ ...tls, transport: 'starttls' }, 'alice', 'alicepw')).result).toEqual(ACCEPT);
  });

  it('auth_type=ntlm2 still authenticates (simple binds) and warns at start that NTLM is not implemented', async () => {
    const { result, texts } = await once({ authType: 'ntlm2', ntlmDomain: ad.domain }, 'alice', 'alicepw');
    expect(result).toEqual(ACCEPT);
    expect(texts.some((t) => t.startsWith('WARNING: [ad_client] auth_type=ntlm2 is not implemented'))).toBe(true);
  });
});

describe('security_group_dn', () => {
  const gate = (): Parameters<typeof options>[0] => ({ securityGroupDn: ad.groups.duoUsers.dn });

  it('a direct member (memberOf) is accepted; a non-member is Invalid User', async () => {
    expect((await once(gate(), 'alice', 'alicepw')).result).toEqual(ACCEPT);
    expect((await once(gate(), 'bob', 'bobpw')).result).toEqual(reject('Invalid User'));
  });

  it('a user whose primary group it is (no memberOf) is accepted through primaryGroupID = group RID', async () => {
    // Prove the fixture: dave is not found through memberOf, only through primaryGroupID.
    const admin = new Client({ url: ad.url, timeout: 5000 });
    try {
      await admin.bind(ad.admin.upn, ad.admin.password);
      const byMemberOf = await admin.search(ad.baseDn, {
        filter: new AndFilter({ filters: [new EqualityFilter({ attribute: 'sAMAccountName', value: 'dave' }), new EqualityFilter({ attribute: 'memberOf', value: ad.groups.duoUsers.dn })] }),
      });
      expect(byMemberOf.searchEntries).toHaveLength(0);
      const dave = await admin.search(ad.baseDn, { filter: '(sAMAccountName=dave)', attributes: ['primaryGroupID'] });
      expect(dave.searchEntries[0]?.['primaryGroupID']).toBe(String(ad.groups.duoUsers.rid));
    } finally {
      await admin.unbind();
    }
    expect((await once(gate(), 'dave', 'davepw')).result).toEqual(ACCEPT);
    expect((await once({ securityGroupDn: ad.groups.other.dn }, 'dave', 'davepw')).result).toEqual(reject('Invalid User'));
  });
});

describe('AD bind errors', () => {
  it('wrong password (49, data 52e) → User Authentication Failed', async () => {
    const { result, texts } = await once({}, 'alice', 'wrong');
    expect(result).toEqual(reject('User Authentication Failed'));
    const line = texts.find((t) => t.startsWith('LDAP Authentication Failed: InvalidCredentialsError (49): '));
    expect(line).toContain('data 52e');
  });

  it('disabled account (49, data 533) → User Authentication Failed', async () => {
    const { result, texts } = await once({}, 'carol', 'carolpw');
    expect(result).toEqual(reject('User Authentication Failed'));
    expect(texts.some((t) => t.startsWith('LDAP Authentication Failed:') && t.includes('data 533'))).toBe(true);
  });

  it('a wrong service password → Initial LDAP bind to AD failed → total outage', async () => {
    const { result, texts } = await once({ serviceAccountPassword: 'bad-svc-pw' }, 'alice', 'alicepw');
    expect(result).toEqual(reject('Failed to communicate with any Active Directory server'));
    expect(texts.some((t) => t.startsWith("Initial LDAP bind to AD failed: 'InvalidCredentialsError (49)") && t.includes('data 52e'))).toBe(true);
  });

  it('logs never contain a password', () => {
    const all = allSinks.flatMap((s) => s.lines).join('\n');
    expect(all.length).toBeGreaterThan(0);
    for (const secret of ['alicepw', 'bobpw', 'davepw', 'carolpw', 'svcpw', 'bad-svc-pw']) expect(all).not.toContain(secret);
  });
});
